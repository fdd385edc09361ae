package profile

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"
)

//go:embed nodes/*.xml
var builtinFS embed.FS

// builtinGraphFile is the built-in graph; every other file in nodes/ is a node named by its file.
const builtinGraphFile = "graph.xml"

// Set parses node and graph files once and builds any number of host profiles from them: the
// built-in component nodes are parsed once per process, a site file once per distinct content.
// A Set is safe for concurrent use.
type Set struct {
	mu    sync.Mutex
	cache map[string]*parsedFile // by path
}

// parsedFile is a site file as read, either a node or a graph.
type parsedFile struct {
	data  []byte
	node  *nodeFile
	graph *graphFile
	err   error
}

// NewSet returns an empty Set.
func NewSet() *Set { return &Set{cache: map[string]*parsedFile{}} }

type builtins struct {
	nodes map[string]*nodeFile
	graph *graphFile
}

var (
	builtinOnce sync.Once
	builtinSet  builtins
	builtinErr  error
)

func loadBuiltins() (builtins, error) {
	builtinOnce.Do(func() {
		entries, err := builtinFS.ReadDir("nodes")
		if err != nil {
			builtinErr = err
			return
		}
		b := builtins{nodes: map[string]*nodeFile{}}
		for _, e := range entries {
			p := "nodes/" + e.Name()
			data, err := builtinFS.ReadFile(p)
			if err != nil {
				builtinErr = err
				return
			}
			display := "builtin:" + p
			if e.Name() == builtinGraphFile {
				b.graph, err = parseGraphFile(display, data)
			} else {
				b.nodes[strings.TrimSuffix(e.Name(), ".xml")], err = parseNodeFile(display, data)
			}
			if err != nil {
				builtinErr = fmt.Errorf("built-in node files are broken (a palletizer bug): %w", err)
				return
			}
		}
		builtinSet = b
	})
	return builtinSet, builtinErr
}

// parse returns the parsed form of a site file, reusing an earlier parse of the same bytes.
func (s *Set) parse(f NodeFile) (*parsedFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.cache[f.Path]; ok && bytes.Equal(p.data, f.Data) {
		return p, p.err
	}
	p := &parsedFile{data: f.Data}
	root, err := parseTree(f.Path, f.Data)
	switch {
	case err != nil:
		p.err = err
	case root.name == "graph":
		p.graph, p.err = graphFromTree(f.Path, root)
	default:
		p.node, p.err = nodeFromTree(f.Path, root)
	}
	s.cache[f.Path] = p
	return p, p.err
}

// view is the node graph one host sees: built-ins with the site's files applied.
type view struct {
	nodes  map[string][]*nodeFile // a node's file followed by its extend- files
	edges  map[string][]edge      // include edges by from
	orders []edge
}

// nodeName splits a site file name into its node and how it applies.
func nodeName(p string) (name, how string) {
	base := strings.TrimSuffix(path.Base(p), ".xml")
	for _, prefix := range []string{"extend-", "replace-"} {
		if strings.HasPrefix(base, prefix) {
			return strings.TrimPrefix(base, prefix), strings.TrimSuffix(prefix, "-")
		}
	}
	return base, ""
}

func (s *Set) view(files []NodeFile) (*view, error) {
	b, err := loadBuiltins()
	if err != nil {
		return nil, err
	}
	v := &view{nodes: make(map[string][]*nodeFile, len(b.nodes)+len(files)), edges: map[string][]edge{}}
	for name, nf := range b.nodes {
		v.nodes[name] = []*nodeFile{nf}
	}
	v.addGraph(b.graph)
	var extends []struct {
		name string
		nf   *nodeFile
	}
	replaced := map[string]string{}
	for _, f := range files {
		p, err := s.parse(f)
		if err != nil {
			return nil, err
		}
		if p.graph != nil {
			v.addGraph(p.graph)
			continue
		}
		name, how := nodeName(f.Path)
		switch how {
		case "extend":
			extends = append(extends, struct {
				name string
				nf   *nodeFile
			}{name, p.node})
		case "replace":
			if first, dup := replaced[name]; dup {
				return nil, errorf(ErrGraph, f.Path, 0, "node %q is replaced twice (first by %s); keep one replace-%s.xml", name, first, name)
			}
			replaced[name] = f.Path
			v.nodes[name] = []*nodeFile{p.node}
		default:
			if _, builtin := b.nodes[name]; builtin {
				return nil, errorf(ErrGraph, f.Path, 0, "node %q is built in; name the file replace-%s.xml to replace it or extend-%s.xml to add to it", name, name, name)
			}
			if old, dup := v.nodes[name]; dup {
				return nil, errorf(ErrGraph, f.Path, 0, "node %q is defined twice (also by %s)", name, old[0].path)
			}
			v.nodes[name] = []*nodeFile{p.node}
		}
	}
	// Extensions apply after every replacement, in the order the files were given.
	for _, e := range extends {
		v.nodes[e.name] = append(v.nodes[e.name], e.nf)
	}
	return v, nil
}

func (v *view) addGraph(g *graphFile) {
	for _, e := range g.edges {
		v.edges[e.from] = append(v.edges[e.from], e)
	}
	v.orders = append(v.orders, g.orders...)
}

// sortedKeys is used where map order would leak into output.
func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
