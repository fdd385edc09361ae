package mirrors

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"
)

// xmlWriter writes metadata XML by hand: encoding/xml cannot emit the namespace prefixes
// (rpm:entry) dnf expects, and hand-writing keeps the bytes stable across Go versions.
// The first error sticks; later writes are no-ops.
type xmlWriter struct {
	w   *bufio.Writer
	err error
}

func newXMLWriter(w io.Writer) *xmlWriter { return &xmlWriter{w: bufio.NewWriterSize(w, 256<<10)} }

func (x *xmlWriter) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

func (x *xmlWriter) int(n int64) { x.raw(strconv.FormatInt(n, 10)) }

// text escapes character data; control characters XML cannot carry are dropped.
func (x *xmlWriter) text(s string) {
	if x.err == nil {
		x.err = xml.EscapeText(x.w, []byte(clean(s)))
	}
}

// attr escapes an attribute value (quotes included).
func (x *xmlWriter) attr(s string) { x.text(s) }

func (x *xmlWriter) flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

func clean(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); j++ {
				if c := s[j]; c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
					b = append(b, c)
				}
			}
			return string(b)
		}
	}
	return s
}
