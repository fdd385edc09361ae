// Package builder orchestrates palletizer: it plans a recipe (hosts x roles, attributes,
// package sets, images) and builds every output from it. It is the only package that imports all.
package builder

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/palletizer/palletizer/profile"
	"github.com/palletizer/palletizer/recipes"
)

// Plan is what a recipe resolves to before anything is fetched or written.
type Plan struct {
	Cluster      PlanCluster      `json:"cluster"`
	Hosts        []PlanHost       `json:"hosts"`
	Roles        []PlanRole       `json:"roles"`
	Repositories []PlanRepository `json:"repositories"`
	Images       []PlanImage      `json:"images"`
	Outputs      []string         `json:"outputs"`
}

// PlanCluster summarises the cluster block.
type PlanCluster struct {
	Name      string   `json:"name"`
	Version   string   `json:"version"`
	OS        string   `json:"os"`
	Arch      string   `json:"arch"`
	Domain    string   `json:"domain,omitempty"`
	Zookeeper []string `json:"zookeeper,omitempty"`
	Masters   []string `json:"masters,omitempty"`
	Quorum    int      `json:"quorum,omitempty"`
}

// PlanHost is one host with its attributes resolved global < role < host.
type PlanHost struct {
	Name       string     `json:"name"`
	Role       string     `json:"role"`
	Address    string     `json:"address"`
	Attributes []PlanAttr `json:"attributes"`
}

// PlanAttr is a resolved attribute and where its value came from.
type PlanAttr struct {
	Name  string        `json:"name"`
	Value string        `json:"value"`
	Scope profile.Scope `json:"scope"`
	Where string        `json:"where,omitempty"`
}

// PlanRole is a role with its components and the packages its hosts ask for.
type PlanRole struct {
	Name       string            `json:"name"`
	Hosts      int               `json:"hosts"`
	Components []string          `json:"components"`
	Install    map[string]string `json:"install,omitempty"`
	Packages   []string          `json:"packages"`
}

// PlanRepository is a repository and what is selected from it.
type PlanRepository struct {
	Name     string   `json:"name"`
	Type     string   `json:"type"`
	URL      string   `json:"url"`
	Packages []string `json:"packages"`
	Exclude  []string `json:"exclude,omitempty"`
	Newest   bool     `json:"newest"`
	Deps     bool     `json:"with_dependencies"`
	GPGCheck bool     `json:"gpgcheck"`
}

// PlanImage is a component image and where it goes.
type PlanImage struct {
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	Target    string   `json:"target"`
	Platforms []string `json:"platforms,omitempty"`
}

// Load reads a recipe with the checks only the builder can supply (the built-in components).
func Load(path string, opts recipes.Options) (*recipes.Recipe, hcl.Diagnostics) {
	if opts.Components == nil {
		opts.Components = profile.Components()
	}
	return recipes.Load(path, opts)
}

// MakePlan resolves a loaded recipe into its plan.
func MakePlan(r *recipes.Recipe) (*Plan, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	p := &Plan{Cluster: PlanCluster{
		Name: r.Cluster.Name, Version: r.Cluster.Version, OS: r.Cluster.OS.String(),
		Arch: r.Cluster.Arch, Domain: r.Cluster.Domain,
	}}
	zk, _ := r.Ensemble()
	for _, h := range zk {
		p.Cluster.Zookeeper = append(p.Cluster.Zookeeper, h.Name)
	}
	for _, h := range r.HostsRunning("mesos-master") {
		p.Cluster.Masters = append(p.Cluster.Masters, h.Name)
	}
	if n := len(p.Cluster.Masters); n > 0 {
		p.Cluster.Quorum = n/2 + 1
	}
	for _, h := range r.Hosts {
		attrs := HostAttributes(r, h)
		ph := PlanHost{Name: h.Name, Role: h.Role, Address: h.Addr.String()}
		for _, name := range attrs.Names() {
			a := attrs[name]
			ph.Attributes = append(ph.Attributes, PlanAttr{Name: name, Value: a.Value, Scope: a.Scope, Where: a.Where})
		}
		p.Hosts = append(p.Hosts, ph)
	}
	for _, role := range r.Roles {
		pr := PlanRole{Name: role.Name, Components: append([]string{}, role.Components...), Packages: []string{}}
		for _, c := range role.Components {
			if m := role.InstallMode(c); m != recipes.InstallPackage {
				if pr.Install == nil {
					pr.Install = map[string]string{}
				}
				pr.Install[c] = m
			}
		}
		for _, h := range r.Hosts {
			if h.Role == role.Name {
				pr.Hosts++
			}
		}
		p.Roles = append(p.Roles, pr)
	}
	for _, repo := range r.Repositories {
		url := repo.BaseURL
		if url == "" {
			url = repo.MirrorList
		}
		if repo.Type == "deb" {
			url = repo.URL
		}
		p.Repositories = append(p.Repositories, PlanRepository{
			Name: repo.Name, Type: repo.Type, URL: url, Packages: repo.Packages, Exclude: repo.Exclude,
			Newest: repo.Newest, Deps: repo.WithDependencies, GPGCheck: repo.GPGCheck,
		})
	}
	for _, img := range r.Images {
		p.Images = append(p.Images, PlanImage{Name: img.Name, Source: img.Source, Target: img.Target, Platforms: img.Platforms})
	}
	o := r.Outputs
	if o.Pallet != nil {
		p.Outputs = append(p.Outputs, "pallet")
	}
	if o.Kickstart != nil {
		p.Outputs = append(p.Outputs, "kickstart")
	}
	if o.CloudInit != nil {
		p.Outputs = append(p.Outputs, "cloudinit")
	}
	for _, inst := range o.Installers {
		p.Outputs = append(p.Outputs, "installer:"+inst.Role)
	}
	return p, diags
}

// HostAttributes resolves a host's attributes: global < role < host, then the intrinsic ones.
func HostAttributes(r *recipes.Recipe, h recipes.Host) profile.Attributes {
	layer := func(scope profile.Scope, attrs []recipes.Attribute) profile.Layer {
		l := profile.Layer{Scope: scope, Values: map[string]string{}, Where: map[string]string{}}
		for _, a := range attrs {
			l.Values[a.Name] = a.Value
			l.Where[a.Name] = where(r, a.Range)
		}
		return l
	}
	var roleAttrs []recipes.Attribute
	if role := r.Role(h.Role); role != nil {
		roleAttrs = role.Attributes
	}
	return profile.Resolve(
		layer(profile.ScopeGlobal, r.Attributes),
		layer(profile.ScopeRole, roleAttrs),
		layer(profile.ScopeHost, h.Attributes),
		profile.Layer{Scope: profile.ScopeIntrinsic, Values: intrinsic(r, h)},
	)
}

func intrinsic(r *recipes.Recipe, h recipes.Host) map[string]string {
	return map[string]string{
		profile.AttrHostname:   h.Name,
		profile.AttrHostaddr:   h.Addr.String(),
		profile.AttrAppliance:  h.Role,
		profile.AttrRole:       h.Role,
		profile.AttrRack:       strconv.Itoa(h.Rack),
		profile.AttrRank:       strconv.Itoa(h.Rank),
		profile.AttrOS:         r.Cluster.OS.Family,
		profile.AttrOSVersion:  r.Cluster.OS.Release,
		profile.AttrArch:       r.Cluster.Arch,
		profile.AttrDomainname: r.Cluster.Domain,
		profile.AttrCluster:    r.Cluster.Name,
		profile.AttrVersion:    r.Cluster.Version,
	}
}

// where names a recipe position relative to the recipe's directory, for plans that are stable
// wherever the recipe is checked out.
func where(r *recipes.Recipe, rng hcl.Range) string {
	name := rng.Filename
	if rel, err := filepath.Rel(r.Dir, name); err == nil {
		name = rel
	}
	return fmt.Sprintf("%s:%d", name, rng.Start.Line)
}
