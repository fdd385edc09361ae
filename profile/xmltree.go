package profile

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
)

// xnode is one element of a node or graph file with the line it starts on; the whole file is
// read into this small tree with encoding/xml's token stream (which keeps positions), then
// interpreted by nodefile.go and graphfile.go.
type xnode struct {
	name     string // local name; the stack: prefix of Stacki 5.x is accepted and dropped
	space    string
	attrs    []xml.Attr
	line     int
	children []xchild
}

// xchild is an element or a run of text, in document order.
type xchild struct {
	elem *xnode
	text string
	line int // where the text starts
}

const maxXMLDepth = 100

// parseTree reads src into a tree. Entities other than XML's own become markers (entity.go).
func parseTree(path string, src []byte) (*xnode, error) {
	if bytes.ContainsRune(src, markOpen) || bytes.ContainsRune(src, markClose) {
		return nil, errorf(ErrSyntax, path, 0, "the file holds the private-use characters U+E000 or U+E001, which palletizer reserves; remove them")
	}
	d := xml.NewDecoder(bytes.NewReader(src))
	d.Strict = true
	d.Entity = entityMap(src)
	var root *xnode
	var stack []*xnode
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, syntaxError(path, line, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxXMLDepth {
				return nil, errorf(ErrSyntax, path, line, "elements nested deeper than %d levels", maxXMLDepth)
			}
			n := &xnode{name: t.Name.Local, space: t.Name.Space, attrs: t.Attr, line: line}
			if len(stack) == 0 {
				if root != nil {
					return nil, errorf(ErrSyntax, path, line, "a second root element <%s>; a node file has one root", t.Name.Local)
				}
				root = n
			} else {
				p := stack[len(stack)-1]
				p.children = append(p.children, xchild{elem: n})
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				if len(bytes.TrimSpace(t)) > 0 {
					return nil, errorf(ErrSyntax, path, line, "text outside the root element")
				}
				continue
			}
			p := stack[len(stack)-1]
			p.children = append(p.children, xchild{text: string(t), line: line})
		}
	}
	if root == nil {
		return nil, errorf(ErrSyntax, path, 0, "no root element; a node file starts with <kickstart> or <stack:stack>, a graph file with <graph>")
	}
	return root, nil
}

func syntaxError(path string, line int, err error) *Error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		msg := se.Msg
		if strings.HasPrefix(msg, "invalid character entity") {
			msg += " (write a literal & as &amp;)"
		}
		return &Error{File: path, Line: se.Line, Kind: ErrSyntax, Msg: "malformed XML: " + msg + "; xmllint --noent shows the same problem"}
	}
	return &Error{File: path, Line: line, Kind: ErrSyntax, Msg: "malformed XML", Err: err}
}

// attr returns the value of the attribute with the given local name (cond and stack:cond alike).
func (n *xnode) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Local == name && a.Name.Space != "xmlns" {
			return a.Value, true
		}
	}
	return "", false
}

// text joins the element's own text runs (a comment splits a run), ignoring child elements;
// each run keeps its line so an entity in it is reported where it is.
func (n *xnode) text() tmpl {
	t := tmpl{line: n.line}
	first := true
	for _, c := range n.children {
		if c.elem != nil {
			continue
		}
		r := newTmpl(c.text, c.line)
		if first {
			t.line = c.line
			first = false
		}
		t.pieces = append(t.pieces, r.pieces...)
	}
	return t
}
