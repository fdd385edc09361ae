package mirrors

import (
	"strconv"
	"strings"
)

// Vercmp compares two version (or release) strings exactly as rpm's rpmvercmp does: it returns
// -1, 0 or 1. Segments are runs of digits or letters; digits beat letters, numbers compare
// without leading zeros, '~' sorts before anything (pre-releases) and '^' sorts after the
// end of a version but before any further segment (post-release snapshots).
func Vercmp(a, b string) int {
	if a == b {
		return 0
	}
	for len(a) > 0 || len(b) > 0 {
		a = strings.TrimLeftFunc(a, isSeparator)
		b = strings.TrimLeftFunc(b, isSeparator)

		// Tilde: the string with it is older, even than the end of the other one.
		if strings.HasPrefix(a, "~") || strings.HasPrefix(b, "~") {
			if !strings.HasPrefix(a, "~") {
				return 1
			}
			if !strings.HasPrefix(b, "~") {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		// Caret: newer than the end of the other string, older than any other segment.
		if strings.HasPrefix(a, "^") || strings.HasPrefix(b, "^") {
			if a == "" {
				return -1
			}
			if b == "" {
				return 1
			}
			if !strings.HasPrefix(a, "^") {
				return 1
			}
			if !strings.HasPrefix(b, "^") {
				return -1
			}
			a, b = a[1:], b[1:]
			continue
		}
		if a == "" || b == "" {
			break
		}

		numeric := isDigit(a[0])
		var sa, sb string
		if numeric {
			sa, a = span(a, isDigit)
			sb, b = span(b, isDigit)
		} else {
			sa, a = span(a, isAlpha)
			sb, b = span(b, isAlpha)
		}
		// One segment is numeric and the other alphabetic: numeric is newer.
		if sb == "" {
			if numeric {
				return 1
			}
			return -1
		}
		if numeric {
			sa = strings.TrimLeft(sa, "0")
			sb = strings.TrimLeft(sb, "0")
			if len(sa) != len(sb) {
				if len(sa) > len(sb) {
					return 1
				}
				return -1
			}
		}
		if c := strings.Compare(sa, sb); c != 0 {
			return c
		}
	}
	// Whichever still has segments left is newer.
	switch {
	case a == "" && b == "":
		return 0
	case a == "":
		return -1
	default:
		return 1
	}
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// isSeparator is anything rpm skips between segments: not alphanumeric, not '~' or '^'.
func isSeparator(r rune) bool {
	if r >= 128 {
		return true
	}
	c := byte(r)
	return !isDigit(c) && !isAlpha(c) && c != '~' && c != '^'
}

func span(s string, f func(byte) bool) (string, string) {
	i := 0
	for i < len(s) && f(s[i]) {
		i++
	}
	return s[:i], s[i:]
}

// EVR is a package's epoch, version and release. An empty Epoch means 0; an empty Release in
// a requirement means "any release".
type EVR struct {
	Epoch   string
	Version string
	Release string
}

// ParseEVR splits "[epoch:]version[-release]" as rpm dependency strings write it.
func ParseEVR(s string) EVR {
	var e EVR
	if i := strings.IndexByte(s, ':'); i >= 0 {
		e.Epoch, s = s[:i], s[i+1:]
	}
	if i := strings.LastIndexByte(s, '-'); i >= 0 {
		e.Version, e.Release = s[:i], s[i+1:]
	} else {
		e.Version = s
	}
	return e
}

// String writes the EVR the way rpm prints it, with the epoch only when it is not zero.
func (e EVR) String() string {
	s := e.Version
	if e.Release != "" {
		s += "-" + e.Release
	}
	if e.epoch() != 0 {
		s = e.Epoch + ":" + s
	}
	return s
}

func (e EVR) epoch() uint64 {
	n, _ := strconv.ParseUint(e.Epoch, 10, 64)
	return n
}

// Compare orders two EVRs as rpm does: epoch numerically, then version, then release with
// Vercmp. A release is compared only when both sides have one, as in rpm's dependency checks.
func (e EVR) Compare(o EVR) int {
	if a, b := e.epoch(), o.epoch(); a != b {
		if a > b {
			return 1
		}
		return -1
	}
	if c := Vercmp(e.Version, o.Version); c != 0 {
		return c
	}
	if e.Release == "" || o.Release == "" {
		return 0
	}
	return Vercmp(e.Release, o.Release)
}
