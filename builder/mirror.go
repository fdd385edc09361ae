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
// dependencies, within what was fetched (mirrors.Select picks the best provider of each
// requirement). A package no repository of the recipe holds is an error naming the role and
// the package, as is a requirement nothing fetched provides.
func rolePackages(r *recipes.Recipe, profiles *Profiles, m *Mirrored) (map[string][]mirrors.Package, error) {
	fetched := m.Selection.ByRepo()
	selected := map[string]bool{}
	for _, p := range m.Selection.Packages {
		selected[p.Name] = true
	}
	out := map[string][]mirrors.Package{}
	var problems []string
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
		names := sortedSet(want)
		for _, n := range names {
			if !selected[n] {
				problems = append(problems, fmt.Sprintf("role %q installs %q, which no repository of the recipe selects", role.Name, n))
			}
		}
		var ixs []*mirrors.Index
		for _, ix := range m.Indexes {
			c := ix.WithFilter(mirrors.Filter{Include: names, WithDependencies: true, Arches: arches(r.Cluster.Arch)})
			c.Packages = fetched[ix.Repo.Name] // only what was fetched (or locked)
			ixs = append(ixs, c)
		}
		sel, err := mirrors.Select(ixs)
		if err != nil {
			problems = append(problems, fmt.Sprintf("role %q: %v", role.Name, err))
		}
		if sel != nil {
			out[role.Name] = sel.Packages
		}
	}
	if len(problems) > 0 {
		return out, errors.New(strings.Join(problems, "\n") + "\n(add the package to a repository's packages, or remove it from the role)")
	}
	return out, nil
}
