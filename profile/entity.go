package profile

import (
	"regexp"
	"strings"
)

// Stacki expands attribute entities by handing the XML parser a DTD of every attribute, so a
// node file usually has no DTD of its own (seeds/002's extend-base.xml has none). A node set
// is parsed once and evaluated for thousands of hosts, so the parser cannot see host values:
// every non-XML entity &name; becomes a marker holding its name, and each host's evaluation
// replaces the marker with the attribute's value. Placing the value after parsing is what
// XML-escaping it before substitution achieves: the value arrives as literal text, so a "<"
// in it can neither break nor inject markup.

const (
	markOpen  = '\uE000' // private-use runes that cannot occur in a node file (checked on input)
	markClose = '\uE001'
)

var entityRef = regexp.MustCompile(`&([A-Za-z_:][-A-Za-z0-9_.:]*);`)

// xmlEntities are the entities encoding/xml expands itself.
var xmlEntities = map[string]bool{"lt": true, "gt": true, "amp": true, "quot": true, "apos": true}

// entityMap maps every entity referenced in src to its marker, for xml.Decoder.Entity.
func entityMap(src []byte) map[string]string {
	m := map[string]string{}
	for _, sub := range entityRef.FindAllSubmatch(src, -1) {
		name := string(sub[1])
		if !xmlEntities[name] {
			m[name] = string(markOpen) + name + string(markClose)
		}
	}
	return m
}

// tmpl is decoded text with entity markers split out: literal pieces and attribute names.
type tmpl struct {
	pieces []piece
	line   int // line where the text starts, to locate an unknown entity
}

type piece struct {
	lit    string
	entity string // non-empty for an entity
	line   int
}

// newTmpl splits decoded text at entity markers. line is where the text starts.
func newTmpl(s string, line int) tmpl {
	t := tmpl{line: line}
	for {
		i := strings.IndexRune(s, markOpen)
		if i < 0 {
			break
		}
		j := strings.IndexRune(s[i:], markClose)
		if j < 0 { // cannot happen: markers come only from entityMap, and inputs holding them are refused
			break
		}
		if i > 0 {
			t.pieces = append(t.pieces, piece{lit: s[:i]})
		}
		line += strings.Count(s[:i], "\n")
		t.pieces = append(t.pieces, piece{entity: s[i+len(string(markOpen)) : i+j], line: line})
		s = s[i+j+len(string(markClose)):]
	}
	if s != "" || len(t.pieces) == 0 {
		t.pieces = append(t.pieces, piece{lit: s})
	}
	return t
}

// literal reports the text when it holds no entity.
func (t tmpl) literal() (string, bool) {
	if len(t.pieces) == 1 && t.pieces[0].entity == "" {
		return t.pieces[0].lit, true
	}
	if len(t.pieces) == 0 {
		return "", true
	}
	return "", false
}

// expand substitutes attribute values; the first entity with no attribute is returned as
// missing with its line.
func (t tmpl) expand(look lookupFunc) (s string, missing string, line int) {
	if lit, ok := t.literal(); ok {
		return lit, "", 0
	}
	var b strings.Builder
	for _, p := range t.pieces {
		if p.entity == "" {
			b.WriteString(p.lit)
			continue
		}
		v, ok := look(p.entity)
		if !ok {
			return "", p.entity, p.line
		}
		b.WriteString(v)
	}
	return b.String(), "", 0
}

// trimBlankEdges drops the whitespace-only lines that surround text in a node file, so
// "<file>\nvalue\n</file>" holds "value\n" as Stacki wrote it (Mesos reads /etc/mesos-master/ip
// verbatim; a leading blank line would break the flag).
func trimBlankEdges(s string) string {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 || strings.TrimSpace(s[:i]) != "" {
			break
		}
		s = s[i+1:]
	}
	s = strings.TrimRight(s, " \t\r\n")
	if strings.TrimSpace(s) == "" {
		return ""
	}
	return s
}

// compact merges adjacent literal pieces so a text without entities expands without copying.
func (t tmpl) compact() tmpl {
	out := tmpl{line: t.line, pieces: make([]piece, 0, len(t.pieces))}
	for _, p := range t.pieces {
		if k := len(out.pieces); k > 0 && p.entity == "" && out.pieces[k-1].entity == "" {
			out.pieces[k-1].lit += p.lit
			continue
		}
		out.pieces = append(out.pieces, p)
	}
	return out
}
