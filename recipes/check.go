package recipes

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/hashicorp/hcl/v2"
)

// maxZookeeperMembers is ZooKeeper's limit: myid is 1..255.
const maxZookeeperMembers = 255

// artifactName is what may go into an artifact's file name (cluster name, version, arch,
// release, repository name): never a path separator or "..", whatever the recipe says.
var artifactName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]*$`)

func checkArtifactName(what, value string, rng hcl.Range) *hcl.Diagnostic {
	if artifactName.MatchString(value) && !strings.Contains(value, "..") {
		return nil
	}
	return errorAt(rng.Ptr(), "Invalid "+what,
		fmt.Sprintf("%s %q names output files: use letters, digits and . _ + ~ -, starting with a letter or digit, and no \"..\".", what, value))
}

// check runs the semantic checks that need the whole recipe.
func (r *Recipe) check(opts Options) hcl.Diagnostics {
	var diags hcl.Diagnostics
	c := r.Cluster
	for _, n := range []struct{ what, value string }{{"cluster name", c.Name}, {"cluster version", c.Version}, {"cluster arch", c.Arch}} {
		if d := checkArtifactName(n.what, n.value, c.Range); d != nil && n.value != "" {
			diags = append(diags, d)
		}
	}
	if o := r.Outputs.Pallet; o != nil && o.Release != "" {
		if d := checkArtifactName("pallet release", o.Release, o.Range); d != nil {
			diags = append(diags, d)
		}
	}
	for _, repo := range r.Repositories {
		if d := checkArtifactName("repository name", repo.Name, repo.Range); d != nil {
			diags = append(diags, d)
		}
	}
	for _, img := range r.Images {
		if d := checkArtifactName("image name", img.Name, img.Range); d != nil {
			diags = append(diags, d)
		}
	}
	installerRoles := firstSeen{}
	for _, o := range r.Outputs.Installers {
		if d := installerRoles.add("installer output for role", o.Role, o.Range); d != nil {
			diags = append(diags, d)
		}
	}
	roles := map[string]*Role{}
	roleNames := []string{}
	for i := range r.Roles {
		roles[r.Roles[i].Name] = &r.Roles[i]
		roleNames = append(roleNames, r.Roles[i].Name)
	}
	repoNames := []string{}
	for _, repo := range r.Repositories {
		repoNames = append(repoNames, repo.Name)
	}

	for _, role := range r.Roles {
		diags = append(diags, r.checkRole(role, opts.Components, repoNames)...)
	}

	names := firstSeen{}
	addrs := firstSeen{}
	for _, h := range r.Hosts {
		if d := names.add("host", h.Name, h.Range); d != nil {
			diags = append(diags, d)
		}
		if h.Addr.IsValid() {
			if prev, ok := addrs[h.Addr.String()]; ok {
				diags = append(diags, errorAt(h.Range.Ptr(), "Duplicate host address",
					fmt.Sprintf("%s of %s is already the address of a host defined at %s; give each host its own address.", h.Addr, h.Name, prev)))
			} else {
				addrs[h.Addr.String()] = h.Range
			}
			if r.Cluster.Network.IsValid() && !r.Cluster.Network.Contains(h.Addr) {
				diags = append(diags, errorAt(h.Range.Ptr(), "Host address outside the network",
					fmt.Sprintf("%s of %s is not in the cluster network %s.", h.Addr, h.Name, r.Cluster.Network)))
			}
		}
		if _, ok := roles[h.Role]; !ok {
			diags = append(diags, errorAt(h.RoleRange.Ptr(), "Unknown role",
				fmt.Sprintf("Host %s has role %q, which no role block defines%s; defined roles: %s.", h.Name, h.Role, suggestion(h.Role, roleNames), list(roleNames))))
		}
	}

	for _, o := range r.Outputs.Installers {
		if _, ok := roles[o.Role]; !ok && o.Role != "" {
			diags = append(diags, errorAt(o.Range.Ptr(), "Unknown role",
				fmt.Sprintf("The installer is for role %q, which no role block defines%s.", o.Role, suggestion(o.Role, roleNames))))
		}
	}
	for _, n := range r.Nodes {
		diags = append(diags, checkNodeFile(n)...)
	}
	diags = append(diags, r.checkQuorums(roles)...)
	return diags
}

func (r *Recipe) checkRole(role Role, components, repoNames []string) hcl.Diagnostics {
	var diags hcl.Diagnostics
	known := map[string]bool{}
	for _, c := range components {
		known[c] = true
	}
	for _, c := range role.Components {
		if components != nil && !known[c] {
			diags = append(diags, errorAt(role.Range.Ptr(), "Unknown component",
				fmt.Sprintf("Role %q names component %q%s; components are: %s.", role.Name, c, suggestion(c, components), list(components))))
		}
	}
	for _, mode := range append([]string{role.Install}, mapValues(role.ComponentInstall)...) {
		if mode != "" && mode != InstallPackage && mode != InstallContainer {
			diags = append(diags, errorAt(role.Range.Ptr(), "Unknown install mode",
				fmt.Sprintf("Role %q: install mode %q is neither \"package\" nor \"container\".", role.Name, mode)))
		}
	}
	for _, c := range sortedKeys(role.ComponentInstall) {
		if !slices.Contains(role.Components, c) {
			diags = append(diags, errorAt(role.Range.Ptr(), "Install mode for a component the role lacks",
				fmt.Sprintf("Role %q sets how to install %q but does not list it in components%s.", role.Name, c, suggestion(c, role.Components))))
		}
	}
	for _, name := range role.Repositories {
		if !slices.Contains(repoNames, name) {
			diags = append(diags, errorAt(role.Range.Ptr(), "Unknown repository",
				fmt.Sprintf("Role %q names repository %q%s; repositories: %s.", role.Name, name, suggestion(name, repoNames), list(repoNames))))
		}
	}
	for _, n := range role.Nodes {
		diags = append(diags, checkNodeFile(n)...)
	}
	return diags
}

// checkQuorums warns about even ensembles and refuses ZooKeeper's hard limit.
func (r *Recipe) checkQuorums(roles map[string]*Role) hcl.Diagnostics {
	var diags hcl.Diagnostics
	masters := r.HostsRunning("mesos-master")
	if n := len(masters); n > 0 && n%2 == 0 {
		diags = append(diags, warningAt(r.Cluster.Range.Ptr(), "Even number of Mesos masters",
			fmt.Sprintf("%d masters give quorum %d, which survives the loss of %d masters, no more than %d masters would; use an odd number.", n, n/2+1, (n-1)/2, n-1)))
	}
	zk, d := r.Ensemble()
	diags = append(diags, d...)
	switch n := len(zk); {
	case n > maxZookeeperMembers:
		diags = append(diags, errorAt(r.Cluster.Range.Ptr(), "Too many ZooKeeper members",
			fmt.Sprintf("The ensemble has %d members; ZooKeeper ids run 1..%d. Run ZooKeeper on fewer hosts (3 or 5 is usual) with the zookeeper setting of the cluster block.", n, maxZookeeperMembers)))
	case n > 0 && n%2 == 0:
		diags = append(diags, warningAt(r.Cluster.Range.Ptr(), "Even number of ZooKeeper members",
			fmt.Sprintf("%d members need %d up (quorum), surviving %d failures, no more than %d members would; use an odd number.", n, n/2+1, (n-1)/2, n-1)))
	}
	return diags
}

// HostsRunning returns the hosts whose role runs a component, in recipe order.
func (r *Recipe) HostsRunning(component string) []Host {
	var out []Host
	for _, h := range r.Hosts {
		if role := r.Role(h.Role); role != nil && slices.Contains(role.Components, component) {
			out = append(out, h)
		}
	}
	return out
}

// Ensemble returns the ZooKeeper members: the cluster's zookeeper list when given, else every
// host whose role runs zookeeper, in recipe order. A member's myid is its index + 1.
func (r *Recipe) Ensemble() ([]Host, hcl.Diagnostics) {
	if len(r.Cluster.Zookeeper) == 0 {
		return r.HostsRunning("zookeeper"), nil
	}
	var out []Host
	var diags hcl.Diagnostics
	var names []string
	for _, h := range r.Hosts {
		names = append(names, h.Name)
	}
	for _, n := range r.Cluster.Zookeeper {
		h := r.Host(n)
		if h == nil {
			diags = append(diags, errorAt(r.Cluster.Range.Ptr(), "Unknown ZooKeeper host",
				fmt.Sprintf("The cluster's zookeeper list names %q, which is no host of the recipe%s.", n, suggestion(n, names))))
			continue
		}
		out = append(out, *h)
	}
	return out, diags
}

// Role returns the role of that name, or nil.
func (r *Recipe) Role(name string) *Role {
	for i := range r.Roles {
		if r.Roles[i].Name == name {
			return &r.Roles[i]
		}
	}
	return nil
}

// Host returns the host of that name, or nil.
func (r *Recipe) Host(name string) *Host {
	for i := range r.Hosts {
		if r.Hosts[i].Name == name {
			return &r.Hosts[i]
		}
	}
	return nil
}

func checkNodeFile(n Node) hcl.Diagnostics {
	if _, err := os.Stat(n.Path); err != nil {
		return hcl.Diagnostics{errorAt(n.Range.Ptr(), "Node file not found",
			fmt.Sprintf("%s: %s; node paths are relative to the recipe's directory.", n.Path, strings.TrimPrefix(err.Error(), "stat "+n.Path+": ")))}
	}
	return nil
}

func checkRepository(repo Repository, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	at := attrRanges{attrs, repo.Range}.at
	switch repo.Type {
	case "rpm":
		if repo.BaseURL == "" && repo.MirrorList == "" {
			diags = append(diags, errorAt(repo.Range.Ptr(), "Repository has no location",
				fmt.Sprintf("rpm repository %q needs baseurl or mirrorlist.", repo.Name)))
		}
		for _, f := range []string{"url", "suite", "components", "architectures", "signed_by"} {
			if _, ok := attrs[f]; ok {
				diags = append(diags, errorAt(attrs[f].NameRange.Ptr(), "Setting for deb repositories",
					fmt.Sprintf("%s is a deb repository setting; rpm repository %q uses baseurl, mirrorlist, gpgkey and gpgcheck.", f, repo.Name)))
			}
		}
		for _, f := range []string{"baseurl", "mirrorlist"} {
			if v := map[string]string{"baseurl": repo.BaseURL, "mirrorlist": repo.MirrorList}[f]; v != "" {
				if d := checkURL(v, f, at(f)); d != nil {
					diags = append(diags, d)
				}
			}
		}
		if repo.GPGCheck && repo.GPGKey == "" {
			diags = append(diags, errorAt(at("gpgcheck"), "gpgcheck without a key",
				fmt.Sprintf("Repository %q checks signatures but has no gpgkey; set gpgkey = file(\"keys/KEY.asc\") or gpgcheck = false.", repo.Name)))
		}
	case "deb":
		if repo.URL == "" || repo.Suite == "" {
			diags = append(diags, errorAt(repo.Range.Ptr(), "Repository has no location",
				fmt.Sprintf("deb repository %q needs url and suite (and usually components).", repo.Name)))
		}
		for _, f := range []string{"baseurl", "mirrorlist"} {
			if _, ok := attrs[f]; ok {
				diags = append(diags, errorAt(attrs[f].NameRange.Ptr(), "Setting for rpm repositories",
					fmt.Sprintf("%s is an rpm repository setting; deb repository %q uses url, suite, components.", f, repo.Name)))
			}
		}
		if repo.URL != "" {
			if d := checkURL(repo.URL, "url", at("url")); d != nil {
				diags = append(diags, d)
			}
		}
	default:
		diags = append(diags, errorAt(at("type"), "Unknown repository type",
			fmt.Sprintf("type = %q: repositories are \"rpm\" or \"deb\"%s.", repo.Type, suggestion(repo.Type, []string{"rpm", "deb"}))))
	}
	if len(repo.Packages) == 0 {
		diags = append(diags, errorAt(repo.Range.Ptr(), "Repository selects no packages",
			fmt.Sprintf("Repository %q needs packages = [...] (names or globs such as \"mesos*\"; \"*\" mirrors everything).", repo.Name)))
	}
	return diags
}

func checkURL(s, field string, rng *hcl.Range) *hcl.Diagnostic {
	u, err := url.Parse(s)
	if err != nil {
		return errorAt(rng, "Invalid URL", fmt.Sprintf("%s = %q does not parse: %s.", field, s, err))
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return errorAt(rng, "Invalid URL", fmt.Sprintf("%s = %q has no host.", field, s))
		}
	case "file":
		if u.Path == "" {
			return errorAt(rng, "Invalid URL", fmt.Sprintf("%s = %q has no path.", field, s))
		}
	default:
		return errorAt(rng, "Unsupported URL scheme",
			fmt.Sprintf("%s = %q: palletizer reads http://, https:// and file:// URLs.", field, s))
	}
	return nil
}

func checkImage(img Image, attrs hcl.Attributes) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for field, ref := range map[string]string{"source": img.Source, "target": img.Target} {
		if strings.Contains(ref, ":") && (strings.HasPrefix(ref, "oci:") || strings.HasPrefix(ref, "docker-archive:")) && field == "source" {
			continue // local sources: an OCI layout directory or a docker-archive tarball
		}
		if _, err := name.ParseReference(ref, name.StrictValidation); err != nil {
			diags = append(diags, errorAt(attrRanges{attrs, img.Range}.at(field), "Invalid image reference",
				fmt.Sprintf("Image %q: %s %q does not parse (%s); write registry/repository:tag or registry/repository@sha256:digest, lowercase.", img.Name, field, ref, err)))
		}
	}
	if len(diags) == 2 && diags[0].Subject.Start.Byte > diags[1].Subject.Start.Byte {
		diags[0], diags[1] = diags[1], diags[0]
	}
	return diags
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, m[k])
	}
	return out
}

func list(names []string) string {
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}
