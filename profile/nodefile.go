package profile

import (
	"strings"
)

// nodeFile is a parsed node file: its elements in document order, ready to evaluate per host.
type nodeFile struct {
	path  string
	items []*item
}

type itemKind uint8

const (
	itemPackage itemKind = iota
	itemScript
	itemFile
	itemNative
	itemService
	itemContainer
	itemText // shell text inside a script
)

// guard is what decides whether an element applies to a host: cond=, arch= and os=.
type guard struct {
	cond *condExpr
	// condT is set instead of cond when the expression itself holds entities; it is expanded
	// and compiled per host.
	condT *tmpl
	arch  []string
	os    []string
}

// item is one element of a node file. Text-valued fields are templates because they may hold
// entities.
type item struct {
	kind itemKind
	line int
	g    guard
	body tmpl // package names, file content, native commands, script text

	// package
	meta, disable bool
	// script
	stage    Stage
	interp   tmpl
	noChroot bool
	args     []string
	steps    []*item // itemText and itemFile, in document order
	// file, service, container
	name, owner, perms, expr tmpl
	appendMode, expanded     bool
	// service
	enable bool
	// container
	image, unit tmpl
}

// ignored elements carry documentation only.
var ignoredElements = map[string]bool{"description": true, "changelog": true, "copyright": true, "si_copyright": true}

var stages = map[string]Stage{
	string(StageInstallPre): StageInstallPre, string(StageInstallPrePackage): StageInstallPrePackage,
	string(StageInstallPost): StageInstallPost, string(StageBootPre): StageBootPre, string(StageBootPost): StageBootPost,
}

// parseNodeFile reads a legacy <kickstart> or a Stacki 5.x <stack:stack> node file.
func parseNodeFile(path string, src []byte) (*nodeFile, error) {
	root, err := parseTree(path, src)
	if err != nil {
		return nil, err
	}
	return nodeFromTree(path, root)
}

func nodeFromTree(path string, root *xnode) (*nodeFile, error) {
	if root.name != "kickstart" && root.name != "stack" {
		return nil, errorf(ErrSyntax, path, root.line, "root element <%s> is not a node file's <kickstart> or <stack:stack>", root.name)
	}
	nf := &nodeFile{path: path}
	for _, c := range root.children {
		if c.elem == nil {
			if s := strings.TrimSpace(c.text); s != "" {
				return nil, errorf(ErrSyntax, path, c.line, "stray text %q between elements; put shell in a <post> and package names in <package>", shorten(s))
			}
			continue
		}
		it, err := parseItem(path, c.elem)
		if err != nil {
			return nil, err
		}
		if it != nil {
			nf.items = append(nf.items, it)
		}
	}
	return nf, nil
}

func parseItem(path string, e *xnode) (*item, error) {
	if ignoredElements[e.name] {
		return nil, nil
	}
	g, err := parseGuard(path, e)
	if err != nil {
		return nil, err
	}
	it := &item{line: e.line, g: g}
	switch e.name {
	case "package":
		it.kind = itemPackage
		it.body = e.text().compact()
		it.meta = attrIs(e, "type", "meta")
		it.disable = attrIs(e, "disable", "true") || attrIs(e, "enable", "false")
		if err := noChildren(path, e); err != nil {
			return nil, err
		}
	case "pre", "post", "script":
		return parseScript(path, e, it)
	case "file":
		return parseFile(path, e, it)
	case "main", "native":
		it.kind = itemNative
		if lang, ok := e.attr("lang"); ok && lang != "kickstart" {
			return nil, errorf(ErrUnsupported, path, e.line, "native language %q is not supported; only stack:lang=\"kickstart\" is", lang)
		}
		var b strings.Builder
		for _, c := range e.children {
			if c.elem == nil {
				b.WriteString(c.text)
				continue
			}
			// Rocks' <main> held one child per kickstart command: <lang>en_US</lang>.
			if len(c.elem.children) > 0 && c.elem.children[0].elem != nil {
				return nil, errorf(ErrSyntax, path, c.elem.line, "<%s> in <%s> must hold only text", c.elem.name, e.name)
			}
			t, _ := c.elem.text().literal()
			b.WriteString("\n" + c.elem.name + " " + strings.TrimSpace(t) + "\n")
		}
		it.body = newTmpl(b.String(), e.line)
		it.body.line = e.line
	case "service":
		it.kind = itemService
		it.name = attrTmpl(e, "name")
		if err := requireAttr(path, e, "name"); err != nil {
			return nil, err
		}
		it.enable = !attrIs(e, "enable", "false")
	case "container":
		it.kind = itemContainer
		for _, a := range []string{"name", "image", "unit"} {
			if err := requireAttr(path, e, a); err != nil {
				return nil, err
			}
		}
		it.name, it.image, it.unit = attrTmpl(e, "name"), attrTmpl(e, "image"), attrTmpl(e, "unit")
	case "eval":
		return nil, errorf(ErrUnsupported, path, e.line, "<eval> runs a program on the Stacki frontend while the profile is generated; palletizer does not run code when resolving profiles: compute the value into an attribute, or move the commands into a <post>")
	default:
		return nil, errorf(ErrSyntax, path, e.line, "unknown element <%s>; a node file holds package, pre, post, script, file, main, native, service, container", e.name)
	}
	return it, nil
}

func parseScript(path string, e *xnode, it *item) (*item, error) {
	it.kind = itemScript
	it.stage = StageInstallPost
	if e.name == "pre" {
		it.stage = StageInstallPre
	}
	if s, ok := e.attr("stage"); ok {
		st, known := stages[s]
		if !known {
			return nil, errorf(ErrSyntax, path, e.line, "unknown stage %q; use install-pre, install-pre-package, install-post, boot-pre or boot-post", s)
		}
		it.stage = st
	}
	if c, ok := e.attr("chroot"); ok {
		b, valid := Truth(c)
		if !valid {
			return nil, errorf(ErrSyntax, path, e.line, "chroot=%q is not a boolean; use true or false", c)
		}
		it.noChroot = !b
	}
	it.interp = attrTmpl(e, "interpreter")
	if _, ok := e.attr("shell"); ok {
		it.interp = attrTmpl(e, "shell")
	}
	if a, ok := e.attr("arg"); ok {
		for _, f := range strings.Fields(a) {
			if f == "--nochroot" {
				it.noChroot = true
				continue
			}
			it.args = append(it.args, f)
		}
	}
	for _, c := range e.children {
		if c.elem == nil {
			it.steps = append(it.steps, &item{kind: itemText, line: c.line, body: newTmpl(c.text, c.line)})
			continue
		}
		switch c.elem.name {
		case "file":
			g, err := parseGuard(path, c.elem)
			if err != nil {
				return nil, err
			}
			f, err := parseFile(path, c.elem, &item{line: c.elem.line, g: g})
			if err != nil {
				return nil, err
			}
			it.steps = append(it.steps, f)
		case "eval":
			return parseItem(path, c.elem) // the refusal with its reason
		default:
			if ignoredElements[c.elem.name] {
				continue
			}
			return nil, errorf(ErrSyntax, path, c.elem.line, "<%s> inside <%s>; a script holds shell text and <file> elements", c.elem.name, e.name)
		}
	}
	// Text runs separated only by comments belong together.
	merged := it.steps[:0]
	for _, s := range it.steps {
		if k := len(merged); k > 0 && s.kind == itemText && merged[k-1].kind == itemText {
			merged[k-1].body.pieces = append(merged[k-1].body.pieces, s.body.pieces...)
			continue
		}
		merged = append(merged, s)
	}
	for _, s := range merged {
		s.body = s.body.compact()
	}
	it.steps = merged
	return it, nil
}

func parseFile(path string, e *xnode, it *item) (*item, error) {
	it.kind = itemFile
	if err := requireAttr(path, e, "name"); err != nil {
		return nil, err
	}
	if err := noChildren(path, e); err != nil {
		return nil, err
	}
	it.name = attrTmpl(e, "name")
	it.owner = attrTmpl(e, "owner")
	it.perms = attrTmpl(e, "perms")
	it.expr = attrTmpl(e, "expr")
	if m, ok := e.attr("mode"); ok && m != "append" && m != "create" {
		return nil, errorf(ErrSyntax, path, e.line, "file mode=%q; use mode=\"append\" or leave it out", m)
	}
	it.appendMode = attrIs(e, "mode", "append")
	it.expanded = attrIs(e, "vars", "expanded")
	it.body = e.text().compact()
	return it, nil
}

func parseGuard(path string, e *xnode) (guard, error) {
	var g guard
	if c, ok := e.attr("cond"); ok {
		t := newTmpl(c, e.line)
		if lit, ok := t.literal(); ok {
			expr, err := compileCond(lit)
			if err != nil {
				return g, &Error{File: path, Line: e.line, Kind: ErrCond, Msg: "cond=" + quoteAttr(c), Err: err}
			}
			g.cond = expr
		} else {
			g.condT = &t
		}
	}
	if a, ok := e.attr("arch"); ok {
		g.arch = splitList(a)
	}
	if o, ok := e.attr("os"); ok {
		g.os = splitList(o)
	}
	return g, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func attrIs(e *xnode, name, want string) bool {
	v, ok := e.attr(name)
	return ok && strings.EqualFold(strings.TrimSpace(v), want)
}

func attrTmpl(e *xnode, name string) tmpl {
	v, _ := e.attr(name)
	return newTmpl(v, e.line)
}

func requireAttr(path string, e *xnode, name string) error {
	if v, ok := e.attr(name); !ok || strings.TrimSpace(v) == "" {
		return errorf(ErrSyntax, path, e.line, "<%s> needs a %s= attribute", e.name, name)
	}
	return nil
}

func noChildren(path string, e *xnode) error {
	for _, c := range e.children {
		if c.elem != nil {
			return errorf(ErrSyntax, path, c.elem.line, "<%s> inside <%s>, which holds only text", c.elem.name, e.name)
		}
	}
	return nil
}

func quoteAttr(s string) string {
	return `"` + strings.NewReplacer("\uE000", "&", "\uE001", ";").Replace(s) + `"`
}

func shorten(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
