package builder

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/recipes"
)

// Mirrored is the result of the mirror step: the opened upstream indexes, the selected packages
// (fetched and verified into the store) and the store.
type Mirrored struct {
	Indexes   []*mirrors.Index
	Selection *mirrors.Selection
	Store     *mirrors.Store
}

// Mirror opens every repository of the recipe, selects what it asks for (or exactly the lock's
// pins when locked is non-nil) and fetches it into the store, verified.
func Mirror(ctx context.Context, r *recipes.Recipe, locked *Lock, opts BuildOptions) (*Mirrored, error) {
	opts.defaults()
	mo := mirrors.Options{Logger: opts.Logger, Progress: func(e mirrors.Event) {
		ev := Event{Step: "mirror", Done: e.AllBytes, Total: e.AllTotal}
		switch e.Kind {
		case mirrors.FetchDone:
			ev.Message = "fetched " + e.Package
		case mirrors.FetchRetrying:
			ev.Message = fmt.Sprintf("retrying %s (attempt %d): %v", e.Package, e.Attempt, e.Err)
		case mirrors.FetchFailed:
			ev.Message = fmt.Sprintf("failed %s: %v", e.Package, e.Err)
		}
		opts.Progress(ev)
	}}
	var indexes []*mirrors.Index
	for _, repo := range r.Repositories {
		if repo.Type != "rpm" {
			return nil, fmt.Errorf("repository %q (%s): palletizer mirrors rpm repositories only so far; remove it or mirror it with another tool", repo.Name, repo.Range)
		}
		ix, err := mirrors.Open(ctx, mirrorRepo(r, repo), mo)
		if err != nil {
			return nil, fmt.Errorf("repository %q: %w", repo.Name, err)
		}
		opts.Progress(Event{Step: "mirror", Message: fmt.Sprintf("%s: %d packages upstream", repo.Name, len(ix.Packages))})
		indexes = append(indexes, ix)
	}
	var sel *mirrors.Selection
	var err error
	if locked != nil {
		sel, err = mirrors.SelectLocked(indexes, locked.Packages)
	} else {
		sel, err = mirrors.Select(indexes)
	}
	if err != nil {
		return nil, err
	}
	store, err := mirrors.NewStore(opts.Store, mo)
	if err != nil {
		return nil, err
	}
	if err := store.Fetch(ctx, sel.Packages); err != nil {
		return nil, err
	}
	return &Mirrored{Indexes: indexes, Selection: sel, Store: store}, nil
}

func mirrorRepo(r *recipes.Recipe, repo recipes.Repository) mirrors.Repo {
	mr := mirrors.Repo{
		Name: repo.Name, BaseURL: repo.BaseURL, MirrorList: repo.MirrorList, GPGCheck: repo.GPGCheck,
		Filter: mirrors.Filter{Include: repo.Packages, Exclude: repo.Exclude, Newest: repo.Newest,
			WithDependencies: repo.WithDependencies, Arches: arches(r.Cluster.Arch)},
	}
	if repo.GPGKey != "" {
		mr.GPGKey = []byte(repo.GPGKey)
	}
	return mr
}

// arches are the package architectures a cluster of arch installs.
func arches(arch string) []string {
	switch arch {
	case "x86_64":
		return []string{"x86_64", "noarch", "i686"}
	default:
		return []string{arch, "noarch"}
	}
}

// publishRepos writes out/repos/<repo>/ for every repository with its selected packages.
func publishRepos(ctx context.Context, m *Mirrored, tree *outTree, epoch int64) error {
	byRepo := m.Selection.ByRepo()
	names := make([]string, 0, len(byRepo))
	for name := range byRepo {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		dir, err := tree.path("repos/" + name)
		if err != nil {
			return err
		}
		if err := mirrors.Publish(ctx, dir, byRepo[name], m.Store, mirrors.PublishOptions{Time: epoch}); err != nil {
			return fmt.Errorf("publishing repository %q: %w", name, err)
		}
		if err := recordTree(tree, "repos/"+name, "repository", "repository:"+name); err != nil {
			return err
		}
	}
	return nil
}

// recordTree adds every file under rel to the artifacts.
func recordTree(tree *outTree, rel, kind string, inputs ...string) error {
	root, err := tree.path(rel)
	if err != nil {
		return err
	}
	return filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		r, _ := filepath.Rel(tree.root, p)
		return tree.record(filepath.ToSlash(r), kind, inputs...)
	})
}

// rolePackages resolves, for each role, the packages its hosts' profiles ask for plus their
// dependencies, within the mirrored selection. A package no repository of the recipe holds is
// an error naming the role and the package.
func rolePackages(r *recipes.Recipe, profiles *Profiles, m *Mirrored) (map[string][]mirrors.Package, error) {
	selected := map[string][]mirrors.Package{} // by name
	for _, p := range m.Selection.Packages {
		selected[p.Name] = append(selected[p.Name], p)
	}
	out := map[string][]mirrors.Package{}
	var missing []string
	for _, role := range r.Roles {
		want := map[string]bool{}
		for _, h := range r.Hosts {
			if h.Role != role.Name {
				continue
			}
			prof, err := profiles.Host(h.Name)
			if err != nil {
				return nil, err
			}
			for _, pkg := range prof.Packages {
				if !pkg.Group && !pkg.Disabled {
					want[pkg.Name] = true
				}
			}
		}
		names := make([]string, 0, len(want))
		for n := range want {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if len(selected[n]) == 0 {
				missing = append(missing, fmt.Sprintf("role %q installs %q, which no repository of the recipe selects", role.Name, n))
			}
		}
		out[role.Name] = closure(names, m.Selection.Packages)
	}
	if len(missing) > 0 {
		return out, errors.New(strings.Join(missing, "\n") + "\n(add the package to a repository's packages, or remove it from the role)")
	}
	return out, nil
}

// closure returns the named packages and everything they require, resolved within pool.
func closure(names []string, pool []mirrors.Package) []mirrors.Package {
	provides := map[string][]int{}
	for i, p := range pool {
		provides[p.Name] = append(provides[p.Name], i)
		for _, d := range p.Provides {
			provides[d.Name] = append(provides[d.Name], i)
		}
		for _, f := range p.Files {
			provides[f.Path] = append(provides[f.Path], i)
		}
	}
	chosen := map[int]bool{}
	var queue []int
	for _, n := range names {
		for _, i := range provides[n] {
			if pool[i].Name == n && !chosen[i] {
				chosen[i] = true
				queue = append(queue, i)
			}
		}
	}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, req := range pool[i].Requires {
			if strings.HasPrefix(req.Name, "rpmlib(") {
				continue
			}
			for _, j := range provides[req.Name] {
				if !chosen[j] {
					chosen[j] = true
					queue = append(queue, j)
				}
			}
		}
	}
	var out []mirrors.Package
	for i := range pool {
		if chosen[i] {
			out = append(out, pool[i])
		}
	}
	return out
}
