package kickstart

// The Stacki profile XML form: the kickstart wrapped in <section> CDATA parts inside chapters,
// as `stack list host profile` printed it, so Stacki users debug palletizer the way they are used to.

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/palletizer/palletizer/profile"
)

// RenderProfileXML returns p as a Stacki-style profile document: <profile type="native"> with a
// "stacki" chapter listing the host's attributes and a "main" chapter whose <section> elements,
// in order, concatenate to exactly the text Render returns. Like Render's output it carries the
// root password hash (write it 0600).
func RenderProfileXML(p *profile.Profile, opts Options) ([]byte, error) {
	secs, err := sections(p, opts)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<profile type="native" os="%s" host="%s">`+"\n", attr(p.OS.Family), attr(p.Host))

	b.WriteString(`<chapter name="stacki">` + "\n")
	var attrs strings.Builder
	for _, name := range p.Attributes.Names() {
		a := p.Attributes[name]
		fmt.Fprintf(&attrs, "%s = %s\t# %s", name, a.Value, a.Scope)
		if a.Where != "" {
			attrs.WriteString(" " + a.Where)
		}
		attrs.WriteByte('\n')
	}
	if err := writeSection(&b, "attributes", attrs.String()); err != nil {
		return nil, fmt.Errorf("host %q: attributes: %w", p.Host, err)
	}
	b.WriteString("</chapter>\n")

	b.WriteString(`<chapter name="main">` + "\n")
	for i, s := range secs {
		text := s.text
		if i > 0 {
			// Render separates sections with a blank line; keep it so the chapter is the file.
			text = "\n" + text
		}
		if err := writeSection(&b, s.name, text); err != nil {
			return nil, fmt.Errorf("host %q: %s section: %w", p.Host, s.name, err)
		}
	}
	b.WriteString("</chapter>\n</profile>\n")
	return []byte(b.String()), nil
}

// writeSection writes text as CDATA. "]]>" cannot appear inside CDATA, so it is split across two
// CDATA blocks; characters XML 1.0 cannot carry at all are an error.
func writeSection(b *strings.Builder, name, text string) error {
	for i, r := range text {
		if r == utf8.RuneError && !strings.HasPrefix(text[i:], "\uFFFD") {
			return fmt.Errorf("byte %d is not UTF-8, which XML cannot carry", i)
		}
		if !xmlChar(r) {
			return fmt.Errorf("character %U at byte %d cannot appear in XML; write such content as base64 and decode it in a script", r, i)
		}
	}
	fmt.Fprintf(b, `<section name="%s"><![CDATA[`, attr(name))
	b.WriteString(strings.ReplaceAll(text, "]]>", "]]]]><![CDATA[>"))
	b.WriteString("]]></section>\n")
	return nil
}

func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func attr(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}
