package profile

import (
	"container/heap"
	"fmt"
	"slices"
	"strings"

	"github.com/agext/levenshtein"
)

// env is one host's view while evaluating: its attributes and the facts arch= and os= test.
type env struct {
	host  string
	attrs Attributes
	look  lookupFunc
	arch  string
	os    OS
}

func newEnv(host string, attrs Attributes, arch string, o OS) *env {
	return &env{host: host, attrs: attrs, arch: arch, os: o, look: func(n string) (string, bool) {
		a, ok := attrs[n]
		return a.Value, ok
	}}
}

// holds reports whether an element's guard lets it apply to this host.
func (e *env) holds(g guard, file string, line int) (bool, error) {
	if g.arch != nil && !slices.Contains(g.arch, e.arch) {
		return false, nil
	}
	if g.os != nil && !slices.Contains(g.os, e.os.Family) && !slices.Contains(g.os, e.os.Name) {
		return false, nil
	}
	c := g.cond
	if g.condT != nil {
		src, err := e.expand(*g.condT, file)
		if err != nil {
			return false, err
		}
		if c, err = compileCond(src); err != nil {
			return false, &Error{File: file, Line: line, Kind: ErrCond, Msg: "cond=" + fmt.Sprintf("%q", src), Err: err}
		}
	}
	if c == nil {
		return true, nil
	}
	ok, err := c.eval(e.look)
	if err != nil {
		return false, &Error{File: file, Line: line, Kind: ErrCond, Msg: fmt.Sprintf("cond=%q for host %s", c.src, e.host), Err: err}
	}
	return ok, nil
}

// expand substitutes entities, reporting an unknown one with its line and a likely fix.
func (e *env) expand(t tmpl, file string) (string, error) {
	s, missing, line := t.expand(e.look)
	if missing == "" {
		return s, nil
	}
	msg := fmt.Sprintf("unknown entity %q: no attribute %s is set for host %s", missing, missing, e.host)
	if near := e.nearest(missing); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	} else {
		msg += "; define it in the recipe's attributes"
	}
	return "", &Error{File: file, Line: line, Kind: ErrUnknownEntity, Msg: msg}
}

func (e *env) nearest(name string) string {
	best, bestD := "", 3
	for _, n := range e.attrs.Names() {
		if d := levenshtein.Distance(name, n, nil); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// traverse returns the nodes reachable from root over the include edges that hold for this host.
func (v *view) traverse(root string, extra []edge, e *env) (map[string]bool, error) {
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		out := v.edges[n]
		if n == root {
			out = append(slices.Clip(extra), out...)
		}
		for _, ed := range out {
			ok, err := e.holds(ed.g, ed.path, ed.line)
			if err != nil {
				return nil, err
			}
			if !ok || seen[ed.to] {
				continue
			}
			if _, exists := v.nodes[ed.to]; !exists {
				return nil, errorf(ErrGraph, ed.path, ed.line, "node %q (included by %q) has no node file; add %s.xml to the recipe's nodes or remove the edge", ed.to, ed.from, ed.to)
			}
			seen[ed.to] = true
			queue = append(queue, ed.to)
		}
	}
	return seen, nil
}

// order sorts the included nodes topologically over the order edges that hold; ties go by
// name so the output is stable. Nodes ordered right after HEAD come before all others when
// free, nodes ordered right before TAIL after all others.
func (v *view) order(included map[string]bool, e *env) ([]string, error) {
	succ := map[string][]string{}
	indeg := map[string]int{}
	rank := map[string]int{}
	for n := range included {
		indeg[n] = 0
		rank[n] = 1
	}
	where := map[[2]string]edge{}
	for _, ed := range v.orders {
		ok, err := e.holds(ed.g, ed.path, ed.line)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		switch {
		case ed.from == nodeHead && included[ed.to]:
			rank[ed.to] = 0
		case ed.to == nodeTail && included[ed.from]:
			rank[ed.from] = 2
		case included[ed.from] && included[ed.to]:
			k := [2]string{ed.from, ed.to}
			if _, dup := where[k]; dup {
				continue
			}
			where[k] = ed
			succ[ed.from] = append(succ[ed.from], ed.to)
			indeg[ed.to]++
		}
	}
	ready := &nodeHeap{rank: rank}
	for n, d := range indeg {
		if d == 0 {
			ready.names = append(ready.names, n)
		}
	}
	heap.Init(ready)
	out := make([]string, 0, len(included))
	for ready.Len() > 0 {
		n := heap.Pop(ready).(string)
		out = append(out, n)
		for _, s := range succ[n] {
			if indeg[s]--; indeg[s] == 0 {
				heap.Push(ready, s)
			}
		}
	}
	if len(out) < len(included) {
		return nil, cycleError(succ, indeg, where)
	}
	return out, nil
}

// cycleError names one cycle among the nodes the sort could not place.
func cycleError(succ map[string][]string, indeg map[string]int, where map[[2]string]edge) error {
	var start string
	for _, n := range sortedKeys(indeg) {
		if indeg[n] > 0 {
			start = n
			break
		}
	}
	// Walk backwards-free: from a stuck node, follow stuck successors until a node repeats.
	pos := map[string]int{}
	path := []string{}
	n := start
	for {
		if i, ok := pos[n]; ok {
			path = append(path[i:], n)
			break
		}
		pos[n] = len(path)
		path = append(path, n)
		next := ""
		for _, s := range slices.Sorted(slices.Values(succ[n])) {
			if indeg[s] > 0 {
				next = s
				break
			}
		}
		if next == "" { // cannot happen: a stuck node always has a stuck predecessor chain
			return errorf(ErrGraph, "", 0, "order edges form a cycle through %q", start)
		}
		n = next
	}
	first := where[[2]string{path[0], path[1]}]
	var locs []string
	for i := 0; i+1 < len(path); i++ {
		ed := where[[2]string{path[i], path[i+1]}]
		locs = append(locs, fmt.Sprintf("%s:%d", ed.path, ed.line))
	}
	return errorf(ErrGraph, first.path, first.line, "order edges form a cycle: %s (edges at %s); remove one of them", strings.Join(path, " -> "), strings.Join(locs, ", "))
}

type nodeHeap struct {
	names []string
	rank  map[string]int
}

func (h *nodeHeap) Len() int { return len(h.names) }
func (h *nodeHeap) Less(i, j int) bool {
	a, b := h.names[i], h.names[j]
	if h.rank[a] != h.rank[b] {
		return h.rank[a] < h.rank[b]
	}
	return a < b
}
func (h *nodeHeap) Swap(i, j int) { h.names[i], h.names[j] = h.names[j], h.names[i] }
func (h *nodeHeap) Push(x any)    { h.names = append(h.names, x.(string)) }
func (h *nodeHeap) Pop() any {
	n := h.names[len(h.names)-1]
	h.names = h.names[:len(h.names)-1]
	return n
}
