package mirrors

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Selection is the resolved package set of a recipe (or of one role): what Fetch downloads
// and Publish writes, sorted by repository, name, EVR and arch.
type Selection struct {
	Packages []Package
	// Unresolved lists requirements nothing provides; Select returns them as an
	// *UnresolvedError too, and still fills Packages, so a plan can show both.
	Unresolved []Unresolved
}

// ByRepo groups the selection by repository name.
func (s *Selection) ByRepo() map[string][]Package {
	out := map[string][]Package{}
	for _, p := range s.Packages {
		out[p.Repo] = append(out[p.Repo], p)
	}
	return out
}

// Unresolved is one requirement no package of any repository provides.
type Unresolved struct {
	Requirement Dep
	NeededBy    string // NEVRA of the package that requires it
	Repo        string
}

// UnresolvedError reports every requirement of the selection that nothing provides.
type UnresolvedError struct {
	Missing []Unresolved
}

func (e *UnresolvedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d requirement(s) provided by no repository (add the repository that provides them, or exclude the package):", len(e.Missing))
	for _, u := range e.Missing {
		fmt.Fprintf(&b, "\n  %s needs %q", u.NeededBy, u.Requirement.String())
	}
	return b.String()
}

// Select applies each index's Filter: excludes, includes, newest, arches, then (for
// repositories with WithDependencies) the closure over Requires against Provides and file
// provides of every repository given. A provider already selected wins; otherwise the
// requiring package's arch (then noarch), the newest EVR, then the earlier repository.
func Select(indexes []*Index) (*Selection, error) {
	pool := newPool(indexes)
	chosen := map[*Package]bool{}
	var queue []*Package
	add := func(p *Package, closure bool) {
		if !chosen[p] {
			chosen[p] = true
			if closure {
				queue = append(queue, p)
			}
		}
	}
	for i, ix := range indexes {
		f := ix.Repo.Filter
		roots := pool.byRepo[i]
		var included []*Package
		for _, p := range roots {
			if matchAny(f.Include, p.Name, true) {
				included = append(included, p)
			}
		}
		if f.Newest {
			included = newestOnly(included)
		}
		for _, p := range included {
			add(p, f.WithDependencies)
		}
	}
	var missing []Unresolved
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, req := range p.Requires {
			if satisfiedBySelf(p, req) {
				continue
			}
			prov := pool.best(req, p, chosen)
			if prov == nil {
				missing = append(missing, Unresolved{Requirement: req, NeededBy: p.NEVRA(), Repo: p.Repo})
				continue
			}
			add(prov, true)
		}
	}
	sel := &Selection{Unresolved: missing}
	for _, p := range pool.all {
		if chosen[p] {
			sel.Packages = append(sel.Packages, *p)
		}
	}
	sortSelection(sel.Packages)
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool {
			if missing[i].NeededBy != missing[j].NeededBy {
				return missing[i].NeededBy < missing[j].NeededBy
			}
			return missing[i].Requirement.String() < missing[j].Requirement.String()
		})
		return sel, &UnresolvedError{Missing: missing}
	}
	return sel, nil
}

func sortSelection(ps []Package) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := &ps[i], &ps[j]
		if a.Repo != b.Repo {
			return a.Repo < b.Repo
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if c := a.EVR.Compare(b.EVR); c != 0 {
			return c < 0
		}
		return a.Arch < b.Arch
	})
}

// pool indexes the eligible packages (after Exclude and Arches) of every repository by
// what they provide: capability names and file paths.
type pool struct {
	all       []*Package
	byRepo    [][]*Package
	provides  map[string][]provider
	files     map[string][]*Package
	repoOrder map[string]int
}

type provider struct {
	pkg *Package
	dep Dep
}

func newPool(indexes []*Index) *pool {
	pl := &pool{provides: map[string][]provider{}, files: map[string][]*Package{}, repoOrder: map[string]int{}}
	for i, ix := range indexes {
		pl.repoOrder[ix.Repo.Name] = i
		var mine []*Package
		for j := range ix.Packages {
			p := &ix.Packages[j]
			if !archAllowed(ix.Repo.Arches, p.Arch) || matchAny(ix.Repo.Exclude, p.Name, false) {
				continue
			}
			mine = append(mine, p)
			pl.all = append(pl.all, p)
			for _, d := range p.Provides {
				pl.provides[d.Name] = append(pl.provides[d.Name], provider{p, d})
			}
			for _, f := range p.Files {
				pl.files[f.Path] = append(pl.files[f.Path], p)
			}
		}
		pl.byRepo = append(pl.byRepo, mine)
	}
	return pl
}

// best returns the provider of req to install for p: one already chosen if any, else the
// newest EVR, preferring p's arch (or noarch) and then the earlier repository.
func (pl *pool) best(req Dep, p *Package, chosen map[*Package]bool) *Package {
	var cands []*Package
	if strings.HasPrefix(req.Name, "/") {
		cands = append(cands, pl.files[req.Name]...)
	}
	for _, pr := range pl.provides[req.Name] {
		if rangesOverlap(pr.dep, req) {
			cands = append(cands, pr.pkg)
		}
	}
	if len(cands) == 0 {
		return nil
	}
	for _, c := range cands {
		if chosen[c] {
			return c
		}
	}
	rank := func(c *Package) int {
		switch {
		case c.Arch == p.Arch:
			return 0
		case c.Arch == "noarch":
			return 1
		}
		return 2
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if a.Name == b.Name {
			if c := a.EVR.Compare(b.EVR); c != 0 {
				return c > 0
			}
		}
		if pl.repoOrder[a.Repo] != pl.repoOrder[b.Repo] {
			return pl.repoOrder[a.Repo] < pl.repoOrder[b.Repo]
		}
		return a.Name < b.Name
	})
	return cands[0]
}

func satisfiedBySelf(p *Package, req Dep) bool {
	for _, d := range p.Provides {
		if d.Name == req.Name && rangesOverlap(d, req) {
			return true
		}
	}
	if strings.HasPrefix(req.Name, "/") {
		for _, f := range p.Files {
			if f.Path == req.Name {
				return true
			}
		}
	}
	return strings.HasPrefix(req.Name, "rpmlib(")
}

// rangesOverlap is rpm's rpmdsCompare: do the version ranges of a provide and a
// requirement of the same name intersect? An unversioned side matches anything.
func rangesOverlap(prov, req Dep) bool {
	if prov.Flags == "" || req.Flags == "" {
		return true
	}
	sense := prov.EVR.Compare(req.EVR)
	pf, rf := senseBits(prov.Flags), senseBits(req.Flags)
	const lt, gt, eq = 2, 4, 8
	switch {
	case sense < 0:
		return pf&gt != 0 || rf&lt != 0
	case sense > 0:
		return pf&lt != 0 || rf&gt != 0
	default:
		return pf&eq != 0 && rf&eq != 0 || pf&lt != 0 && rf&lt != 0 || pf&gt != 0 && rf&gt != 0
	}
}

func senseBits(flags string) int {
	return map[string]int{"LT": 2, "GT": 4, "EQ": 8, "LE": 10, "GE": 12}[flags]
}

// newestOnly keeps the highest EVR of each name and arch, as Stacki's newest=true and
// reposync --newest-only do.
func newestOnly(ps []*Package) []*Package {
	best := map[[2]string]*Package{}
	var order [][2]string
	for _, p := range ps {
		k := [2]string{p.Name, p.Arch}
		if b, ok := best[k]; !ok {
			best[k] = p
			order = append(order, k)
		} else if p.EVR.Compare(b.EVR) > 0 {
			best[k] = p
		}
	}
	out := make([]*Package, 0, len(order))
	for _, k := range order {
		out = append(out, best[k])
	}
	return out
}

// matchAny matches a package name against globs; an empty list gives empty.
func matchAny(globs []string, name string, empty bool) bool {
	if len(globs) == 0 {
		return empty
	}
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}

func archAllowed(arches []string, arch string) bool {
	if len(arches) == 0 {
		return arch != "src"
	}
	for _, a := range arches {
		if a == arch {
			return true
		}
	}
	return false
}
