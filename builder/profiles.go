package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/palletizer/palletizer/profile"
	"github.com/palletizer/palletizer/recipes"
)

// Profiles resolves host profiles of one recipe. Node files are read and parsed once and shared
// by every host.
type Profiles struct {
	recipe *recipes.Recipe
	set    *profile.Set
	nodes  []profile.NodeFile            // the recipe's own node files
	roles  map[string][]profile.NodeFile // each role's node files
	images map[string]string             // component -> image reference its container runs
}

// NewProfiles reads the recipe's node files. images maps a component to the reference its
// container runs (the target by digest when locked); nil uses each image's target by tag.
func NewProfiles(r *recipes.Recipe, images map[string]string) (*Profiles, error) {
	p := &Profiles{recipe: r, set: profile.NewSet(), roles: map[string][]profile.NodeFile{}, images: images}
	var err error
	if p.nodes, err = readNodes(r, r.Nodes); err != nil {
		return nil, err
	}
	for _, role := range r.Roles {
		if p.roles[role.Name], err = readNodes(r, role.Nodes); err != nil {
			return nil, err
		}
	}
	if p.images == nil {
		p.images = map[string]string{}
		for _, img := range r.Images {
			p.images[img.Name] = img.Target
		}
	}
	return p, nil
}

func readNodes(r *recipes.Recipe, nodes []recipes.Node) ([]profile.NodeFile, error) {
	var out []profile.NodeFile
	for _, n := range nodes {
		data, err := os.ReadFile(n.Path)
		if err != nil {
			return nil, fmt.Errorf("reading node file named at %s: %w", n.Range, err)
		}
		name := n.Path
		if rel, err := filepath.Rel(r.Dir, n.Path); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
		out = append(out, profile.NodeFile{Path: name, Data: data})
	}
	return out, nil
}

// Host builds the profile of one host.
func (p *Profiles) Host(name string) (*profile.Profile, error) {
	h := p.recipe.Host(name)
	if h == nil {
		var names []string
		for _, h := range p.recipe.Hosts {
			names = append(names, h.Name)
		}
		return nil, fmt.Errorf("recipe %s has no host %q; hosts are %s", p.recipe.Path, name, strings.Join(names, ", "))
	}
	in, err := p.input(*h)
	if err != nil {
		return nil, err
	}
	prof, err := p.set.Build(in)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", name, err)
	}
	return prof, nil
}

func (p *Profiles) input(h recipes.Host) (profile.Input, error) {
	r := p.recipe
	role := r.Role(h.Role)
	if role == nil {
		return profile.Input{}, fmt.Errorf("host %s has unknown role %q", h.Name, h.Role)
	}
	in := profile.Input{
		Host: h.Name, Address: h.Addr.String(), Role: h.Role, Rack: h.Rack, Rank: h.Rank,
		Cluster: profile.Cluster{
			Name: r.Cluster.Name, Version: r.Cluster.Version, Arch: r.Cluster.Arch,
			Domain: r.Cluster.Domain, Timezone: r.Cluster.Timezone, RootPasswordHash: r.Cluster.RootPasswordHash,
			OS: profile.OS{Family: r.Cluster.OS.Family, Name: r.Cluster.OS.Name, Release: r.Cluster.OS.Release},
		},
		Images: p.images,
	}
	if r.Cluster.Network.IsValid() {
		in.Prefix = r.Cluster.Network.Bits()
	}
	if r.Cluster.Gateway.IsValid() {
		in.Gateway = r.Cluster.Gateway.String()
	}
	for _, ns := range r.Cluster.Nameservers {
		in.DNS = append(in.DNS, ns.String())
	}
	for _, c := range role.Components {
		in.Components = append(in.Components, profile.Component{Name: c, Install: profile.InstallMode(role.InstallMode(c))})
	}
	layer := func(scope profile.Scope, attrs []recipes.Attribute) profile.Layer {
		l := profile.Layer{Scope: scope, Values: map[string]string{}, Where: map[string]string{}}
		for _, a := range attrs {
			l.Values[a.Name] = a.Value
			l.Where[a.Name] = where(r, a.Range)
		}
		return l
	}
	in.Layers = []profile.Layer{
		layer(profile.ScopeGlobal, r.Attributes),
		layer(profile.ScopeRole, role.Attributes),
		layer(profile.ScopeHost, h.Attributes),
	}
	zk, _ := r.Ensemble()
	in.Ensemble = members(zk)
	in.Masters = members(r.HostsRunning("mesos-master"))
	in.Balancers = members(r.HostsRunning("keepalived"))
	for _, repo := range reposFor(r, role) {
		in.Repositories = append(in.Repositories, profile.Repository{
			Name: repo.Name, Type: repo.Type, BaseURL: firstNonEmpty(repo.BaseURL, repo.URL),
			Suite: repo.Suite, Components: repo.Components, GPGCheck: repo.GPGCheck,
		})
	}
	in.Nodes = append(append([]profile.NodeFile{}, p.nodes...), p.roles[role.Name]...)
	return in, nil
}

// reposFor returns the repositories a role installs from: the role's list, or all of them.
func reposFor(r *recipes.Recipe, role *recipes.Role) []recipes.Repository {
	if len(role.Repositories) == 0 {
		return r.Repositories
	}
	var out []recipes.Repository
	for _, repo := range r.Repositories {
		for _, name := range role.Repositories {
			if repo.Name == name {
				out = append(out, repo)
			}
		}
	}
	return out
}

func members(hosts []recipes.Host) []profile.Member {
	var out []profile.Member
	for _, h := range hosts {
		out = append(out, profile.Member{Host: h.Name, Address: h.Addr.String()})
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
