// Package builder orchestrates palletizer: it plans a recipe (hosts x roles, attributes,
// package sets, images) and builds every output from it. It is the only package that imports all.
package builder

import (
	"fmt"
	"path/filepath"
	"sort"

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
	profiles, err := NewProfiles(r, nil)
	if err != nil {
		return nil, hcl.Diagnostics{errorDiag("Cannot read node files", err)}
	}
	rolePackages := map[string]map[string]bool{}
	for _, h := range r.Hosts {
		prof, err := profiles.Host(h.Name)
		if err != nil {
			diags = append(diags, errorDiag("Cannot resolve host profile", err))
			continue
		}
		if rolePackages[h.Role] == nil {
			rolePackages[h.Role] = map[string]bool{}
		}
		for _, pkg := range prof.Packages {
			if !pkg.Disabled {
				name := pkg.Name
				if pkg.Group {
					name = "@" + name
				}
				rolePackages[h.Role][name] = true
			}
		}
		attrs := prof.Attributes
		ph := PlanHost{Name: h.Name, Role: h.Role, Address: h.Addr.String()}
		for _, name := range attrs.Names() {
			a := attrs[name]
			v := a.Value
			if secretName(name) && v != "" {
				v = "(sensitive)"
			}
			ph.Attributes = append(ph.Attributes, PlanAttr{Name: name, Value: v, Scope: a.Scope, Where: a.Where})
		}
		p.Hosts = append(p.Hosts, ph)
	}
	for _, role := range r.Roles {
		pr := PlanRole{Name: role.Name, Components: append([]string{}, role.Components...), Packages: sortedSet(rolePackages[role.Name])}
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

func errorDiag(summary string, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: err.Error()}
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
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
