package profile

import (
	"fmt"
	"strconv"
	"strings"
)

// The cond= language is Stacki's: boolean expressions over attribute names with and, or, not,
// ==, !=, in, parentheses, string and number literals. Stacki handed the text to Python's eval
// and read any failure as false, which is how a typo silently dropped a whole post section;
// here a malformed expression, a non-boolean value used as a condition or a comparison that
// makes no sense is an error the caller locates with file and line.

// condExpr is a compiled cond expression; compile once per node file, evaluate per host.
type condExpr struct {
	src  string
	root cnode
}

// lookupFunc returns an attribute's value and whether it is defined.
type lookupFunc func(name string) (string, bool)

type vkind uint8

const (
	vNull vkind = iota // an undefined attribute or None
	vBool
	vStr  // a string literal
	vNum  // a number literal
	vAttr // an attribute's value: a string that may read as a boolean or a number
	vList
)

type value struct {
	kind vkind
	b    bool
	s    string // vStr, vAttr; the literal text for vNum
	n    float64
	name string // vAttr: the attribute name, for messages
	list []value
}

type cnode interface {
	eval(look lookupFunc) (value, error)
}

type (
	litNode  struct{ v value }
	nameNode struct{ name string }
	listNode struct{ elems []cnode }
	notNode  struct{ x cnode }
	boolNode struct {
		and  bool
		l, r cnode
	}
	cmpNode struct {
		op   string // "==", "!=", "in", "not in"
		l, r cnode
	}
)

// compileCond parses a cond expression. The error names the offending token and its column.
func compileCond(src string) (*condExpr, error) {
	toks, err := lexCond(src)
	if err != nil {
		return nil, err
	}
	p := &condParser{toks: toks}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, fmt.Errorf("unexpected %s at column %d of %q", t, t.col, src)
	}
	return &condExpr{src: src, root: root}, nil
}

// eval reports whether the expression holds for the attributes behind look.
func (c *condExpr) eval(look lookupFunc) (bool, error) {
	v, err := c.root.eval(look)
	if err != nil {
		return false, err
	}
	return truth(v)
}

func (n litNode) eval(lookupFunc) (value, error) { return n.v, nil }

func (n nameNode) eval(look lookupFunc) (value, error) {
	s, ok := look(n.name)
	if !ok {
		return value{kind: vNull, name: n.name}, nil
	}
	return value{kind: vAttr, s: s, name: n.name}, nil
}

func (n listNode) eval(look lookupFunc) (value, error) {
	out := value{kind: vList, list: make([]value, 0, len(n.elems))}
	for _, e := range n.elems {
		v, err := e.eval(look)
		if err != nil {
			return value{}, err
		}
		out.list = append(out.list, v)
	}
	return out, nil
}

func (n notNode) eval(look lookupFunc) (value, error) {
	v, err := n.x.eval(look)
	if err != nil {
		return value{}, err
	}
	b, err := truth(v)
	return value{kind: vBool, b: !b}, err
}

func (n boolNode) eval(look lookupFunc) (value, error) {
	lv, err := n.l.eval(look)
	if err != nil {
		return value{}, err
	}
	l, err := truth(lv)
	if err != nil {
		return value{}, err
	}
	// Short-circuit as Python does, but only after the left side proved to be a boolean.
	if n.and && !l || !n.and && l {
		return value{kind: vBool, b: l}, nil
	}
	rv, err := n.r.eval(look)
	if err != nil {
		return value{}, err
	}
	r, err := truth(rv)
	return value{kind: vBool, b: r}, err
}

func (n cmpNode) eval(look lookupFunc) (value, error) {
	l, err := n.l.eval(look)
	if err != nil {
		return value{}, err
	}
	r, err := n.r.eval(look)
	if err != nil {
		return value{}, err
	}
	var b bool
	switch n.op {
	case "==", "!=":
		b, err = equal(l, r)
		if n.op == "!=" {
			b = !b
		}
	default:
		b, err = member(l, r)
		if n.op == "not in" {
			b = !b
		}
	}
	return value{kind: vBool, b: b}, err
}

// truth reads a value used as a condition.
func truth(v value) (bool, error) {
	switch v.kind {
	case vNull:
		return false, nil
	case vBool:
		return v.b, nil
	case vAttr:
		b, ok := Truth(v.s)
		if !ok {
			return false, fmt.Errorf("attribute %q is %q, which is not a boolean: set it to true/yes/on/y or false/no/off/n, or compare it (%s == %q)", v.name, v.s, v.name, v.s)
		}
		return b, nil
	}
	return false, fmt.Errorf("%s is not a boolean; compare it with == or in", v.describe())
}

func (v value) describe() string {
	switch v.kind {
	case vStr:
		return strconv.Quote(v.s)
	case vNum:
		return "number " + v.s
	case vList:
		return "a list"
	case vAttr:
		return fmt.Sprintf("attribute %q", v.name)
	case vBool:
		return strconv.FormatBool(v.b)
	}
	return "null"
}

// equal compares two values: numbers numerically when both sides read as numbers, booleans by
// Stacki's truth words, everything else as exact strings. null equals only null.
func equal(l, r value) (bool, error) {
	if l.kind == vList || r.kind == vList {
		return false, fmt.Errorf("cannot compare %s with %s; use in for lists", l.describe(), r.describe())
	}
	if l.kind == vNull || r.kind == vNull {
		return l.kind == r.kind, nil
	}
	if l.kind == vBool || r.kind == vBool {
		lb, err := truth(l)
		if err != nil {
			return false, err
		}
		rb, err := truth(r)
		if err != nil {
			return false, err
		}
		return lb == rb, nil
	}
	if l.kind == vNum || r.kind == vNum {
		ln, lok := number(l)
		rn, rok := number(r)
		if lok && rok {
			return ln == rn, nil
		}
		return false, nil
	}
	return l.s == r.s, nil
}

func number(v value) (float64, bool) {
	if v.kind == vNum {
		return v.n, true
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(v.s), 64)
	return f, err == nil
}

// member implements in: the right side is a list, or a string read as a comma list
// ("x86_64,aarch64"), as Stacki's arch= and os= lists are written.
func member(l, r value) (bool, error) {
	if l.kind == vList {
		return false, fmt.Errorf("the left side of in must be a single value, not a list")
	}
	switch r.kind {
	case vNull:
		return false, nil
	case vList:
		for _, e := range r.list {
			ok, err := equal(l, e)
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case vStr, vAttr:
		for _, part := range strings.Split(r.s, ",") {
			ok, err := equal(l, value{kind: vStr, s: strings.TrimSpace(part)})
			if err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	}
	return false, fmt.Errorf("the right side of in must be a list or a comma-separated string, not %s", r.describe())
}

// Lexer.

type tkind uint8

const (
	tEOF tkind = iota
	tName
	tStr
	tNum
	tOp // ( ) [ ] , == !=
	tAnd
	tOr
	tNot
	tIn
)

type token struct {
	kind tkind
	text string
	col  int // 1-based
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tStr:
		return "string " + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

func isNameStart(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func isNameByte(c byte) bool {
	return isNameStart(c) || '0' <= c && c <= '9' || c == '.' || c == '-' || c == ':'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func lexCond(src string) ([]token, error) {
	var toks []token
	for i := 0; i < len(src); {
		c := src[i]
		col := i + 1
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '[' || c == ']' || c == ',':
			toks = append(toks, token{tOp, src[i : i+1], col})
			i++
		case (c == '=' || c == '!') && i+1 < len(src) && src[i+1] == '=':
			toks = append(toks, token{tOp, src[i : i+2], col})
			i += 2
		case c == '\'' || c == '"':
			j := strings.IndexByte(src[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unterminated string starting at column %d of %q", col, src)
			}
			toks = append(toks, token{tStr, src[i+1 : i+1+j], col})
			i += j + 2
		case isDigit(c) || c == '-' && i+1 < len(src) && isDigit(src[i+1]):
			j := i + 1
			for j < len(src) && (isDigit(src[j]) || src[j] == '.') {
				j++
			}
			if j < len(src) && isNameByte(src[j]) {
				return nil, fmt.Errorf("malformed number %q at column %d of %q", src[i:j+1], col, src)
			}
			toks = append(toks, token{tNum, src[i:j], col})
			i = j
		case isNameStart(c):
			j := i + 1
			for j < len(src) && isNameByte(src[j]) {
				j++
			}
			word := src[i:j]
			k := tName
			switch word {
			case "and":
				k = tAnd
			case "or":
				k = tOr
			case "not":
				k = tNot
			case "in":
				k = tIn
			}
			toks = append(toks, token{k, word, col})
			i = j
		default:
			return nil, fmt.Errorf("unexpected character %q at column %d of %q", c, col, src)
		}
	}
	return append(toks, token{kind: tEOF, col: len(src) + 1}), nil
}

// Parser: or > and > not > comparison > primary, as in Python.

const maxCondDepth = 64

type condParser struct {
	toks []token
	pos  int
}

func (p *condParser) peek() token { return p.toks[p.pos] }

func (p *condParser) next() token {
	t := p.toks[p.pos]
	if t.kind != tEOF {
		p.pos++
	}
	return t
}

func (p *condParser) parseOr(depth int) (cnode, error) {
	if depth > maxCondDepth {
		return nil, fmt.Errorf("expression nested deeper than %d levels", maxCondDepth)
	}
	l, err := p.parseAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tOr {
		p.next()
		r, err := p.parseAnd(depth)
		if err != nil {
			return nil, err
		}
		l = boolNode{and: false, l: l, r: r}
	}
	return l, nil
}

func (p *condParser) parseAnd(depth int) (cnode, error) {
	l, err := p.parseNot(depth)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == tAnd {
		p.next()
		r, err := p.parseNot(depth)
		if err != nil {
			return nil, err
		}
		l = boolNode{and: true, l: l, r: r}
	}
	return l, nil
}

func (p *condParser) parseNot(depth int) (cnode, error) {
	if p.peek().kind == tNot {
		p.next()
		if depth > maxCondDepth {
			return nil, fmt.Errorf("expression nested deeper than %d levels", maxCondDepth)
		}
		x, err := p.parseNot(depth + 1)
		if err != nil {
			return nil, err
		}
		return notNode{x}, nil
	}
	return p.parseCmp(depth)
}

func (p *condParser) parseCmp(depth int) (cnode, error) {
	l, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	t := p.peek()
	var op string
	switch {
	case t.kind == tOp && (t.text == "==" || t.text == "!="):
		op = t.text
		p.next()
	case t.kind == tIn:
		op = "in"
		p.next()
	case t.kind == tNot && p.toks[p.pos+1].kind == tIn:
		op = "not in"
		p.pos += 2
	default:
		return l, nil
	}
	r, err := p.parsePrimary(depth)
	if err != nil {
		return nil, err
	}
	return cmpNode{op: op, l: l, r: r}, nil
}

func (p *condParser) parsePrimary(depth int) (cnode, error) {
	t := p.next()
	switch t.kind {
	case tName:
		switch t.text {
		case "true", "True":
			return litNode{value{kind: vBool, b: true}}, nil
		case "false", "False":
			return litNode{value{kind: vBool}}, nil
		case "None":
			return litNode{value{kind: vNull}}, nil
		}
		return nameNode{t.text}, nil
	case tStr:
		return litNode{value{kind: vStr, s: t.text}}, nil
	case tNum:
		n, err := strconv.ParseFloat(t.text, 64)
		if err != nil {
			return nil, fmt.Errorf("malformed number %q at column %d", t.text, t.col)
		}
		return litNode{value{kind: vNum, n: n, s: t.text}}, nil
	case tOp:
		switch t.text {
		case "(":
			return p.parseGroup(depth, t, ")")
		case "[":
			return p.parseGroup(depth, t, "]")
		}
	}
	return nil, fmt.Errorf("unexpected %s at column %d; expected a name, a literal or (", t, t.col)
}

// parseGroup reads (x), (a, b), [a, b] or []; a comma makes a list, as in Python.
func (p *condParser) parseGroup(depth int, open token, close string) (cnode, error) {
	var elems []cnode
	comma := false
	for {
		if t := p.peek(); t.kind == tOp && t.text == close {
			p.next()
			break
		}
		if len(elems) > 0 && !comma {
			t := p.peek()
			return nil, fmt.Errorf("unexpected %s at column %d; expected , or %s to close the %s at column %d", t, t.col, close, open.text, open.col)
		}
		e, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		elems = append(elems, e)
		comma = false
		if t := p.peek(); t.kind == tOp && t.text == "," {
			p.next()
			comma = true
		}
	}
	if close == ")" && len(elems) == 1 && !comma {
		return elems[0], nil
	}
	if close == ")" && len(elems) == 0 {
		return nil, fmt.Errorf("empty parentheses at column %d", open.col)
	}
	return listNode{elems}, nil
}
