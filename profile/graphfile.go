package profile

import "strings"

// graphFile is a parsed <graph>: which node includes which (edges) and in what order their
// output comes (order edges).
type graphFile struct {
	path   string
	edges  []edge
	orders []edge
}

// edge is an include edge (from includes to) or an order edge (from = head, before to = tail).
type edge struct {
	from, to string
	g        guard
	path     string
	line     int
}

// Pseudo-nodes of order edges: HEAD comes before every node and TAIL after every node.
const (
	nodeHead = "HEAD"
	nodeTail = "TAIL"
)

func parseGraphFile(path string, src []byte) (*graphFile, error) {
	root, err := parseTree(path, src)
	if err != nil {
		return nil, err
	}
	return graphFromTree(path, root)
}

func graphFromTree(path string, root *xnode) (*graphFile, error) {
	if root.name != "graph" {
		return nil, errorf(ErrSyntax, path, root.line, "root element <%s> is not <graph>", root.name)
	}
	gf := &graphFile{path: path}
	for _, c := range root.children {
		if c.elem == nil {
			if s := strings.TrimSpace(c.text); s != "" {
				return nil, errorf(ErrSyntax, path, c.line, "stray text %q in <graph>", shorten(s))
			}
			continue
		}
		e := c.elem
		switch e.name {
		case "edge":
			es, err := parseEdge(path, e, "from", "to")
			if err != nil {
				return nil, err
			}
			gf.edges = append(gf.edges, es...)
		case "order":
			es, err := parseEdge(path, e, "head", "tail")
			if err != nil {
				return nil, err
			}
			gf.orders = append(gf.orders, es...)
		default:
			if ignoredElements[e.name] {
				continue
			}
			return nil, errorf(ErrSyntax, path, e.line, "unknown element <%s> in a graph; use <edge> or <order>", e.name)
		}
	}
	return gf, nil
}

// parseEdge reads <edge from="A" to="B"/> and the nested forms <edge from="A"><to>B</to></edge>
// and <edge to="B"><from>A</from></edge>; a child's cond is AND-ed with the element's.
func parseEdge(path string, e *xnode, fromName, toName string) ([]edge, error) {
	g, err := parseGuard(path, e)
	if err != nil {
		return nil, err
	}
	from, _ := e.attr(fromName)
	to, _ := e.attr(toName)
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	var out []edge
	if from != "" && to != "" {
		out = append(out, edge{from: from, to: to, g: g, path: path, line: e.line})
	}
	for _, c := range e.children {
		if c.elem == nil {
			if s := strings.TrimSpace(c.text); s != "" {
				return nil, errorf(ErrSyntax, path, c.line, "stray text %q in <%s>; name nodes in <%s> or <%s> children", shorten(s), e.name, fromName, toName)
			}
			continue
		}
		k := c.elem
		if k.name != fromName && k.name != toName {
			return nil, errorf(ErrSyntax, path, k.line, "<%s> inside <%s>; use <%s> or <%s>", k.name, e.name, fromName, toName)
		}
		kg, err := parseGuard(path, k)
		if err != nil {
			return nil, err
		}
		name, ok := k.text().literal()
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return nil, errorf(ErrSyntax, path, k.line, "<%s> must name a node", k.name)
		}
		ed := edge{from: from, to: to, g: andGuard(g, kg), path: path, line: k.line}
		if k.name == fromName {
			ed.from = name
		} else {
			ed.to = name
		}
		if ed.from == "" || ed.to == "" {
			return nil, errorf(ErrSyntax, path, k.line, "<%s> needs both ends: give %s= and %s= on it or as children", e.name, fromName, toName)
		}
		out = append(out, ed)
	}
	if len(out) == 0 {
		return nil, errorf(ErrSyntax, path, e.line, "<%s> needs %s= and %s= (or <%s>/<%s> children)", e.name, fromName, toName, fromName, toName)
	}
	return out, nil
}

// andGuard combines a parent's guard with a child's: both must hold.
func andGuard(a, b guard) guard {
	if a.cond == nil && a.condT == nil && a.arch == nil && a.os == nil {
		return b
	}
	if b.cond == nil && b.condT == nil && b.arch == nil && b.os == nil {
		return a
	}
	out := guard{arch: b.arch, os: b.os}
	if out.arch == nil {
		out.arch = a.arch
	}
	if out.os == nil {
		out.os = a.os
	}
	switch {
	case a.condT != nil || b.condT != nil:
		// Rare: entities inside both conds; keep the child's and the parent's as a template pair.
		out.condT = joinCondT(a, b)
	case a.cond != nil && b.cond != nil:
		out.cond = &condExpr{src: "(" + a.cond.src + ") and (" + b.cond.src + ")", root: boolNode{and: true, l: a.cond.root, r: b.cond.root}}
	case a.cond != nil:
		out.cond = a.cond
	default:
		out.cond = b.cond
	}
	return out
}

func joinCondT(a, b guard) *tmpl {
	part := func(g guard) tmpl {
		switch {
		case g.condT != nil:
			return *g.condT
		case g.cond != nil:
			return tmpl{pieces: []piece{{lit: g.cond.src}}}
		}
		return tmpl{pieces: []piece{{lit: "true"}}}
	}
	pa, pb := part(a), part(b)
	t := tmpl{line: pa.line}
	t.pieces = append(t.pieces, piece{lit: "("})
	t.pieces = append(t.pieces, pa.pieces...)
	t.pieces = append(t.pieces, piece{lit: ") and ("})
	t.pieces = append(t.pieces, pb.pieces...)
	t.pieces = append(t.pieces, piece{lit: ")"})
	return &t
}
