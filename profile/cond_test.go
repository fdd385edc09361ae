package profile

import (
	"strings"
	"testing"
)

var condAttrs = map[string]string{
	"t1": "true", "t2": "Yes", "t3": "ON", "t4": "y",
	"f1": "false", "f2": "No", "f3": "off", "f4": "N",
	"maybe": "maybe", "os": "redhat", "os.version": "7", "arch": "x86_64",
	"ver": "7.0", "list": "a, b,c", "empty": "",
}

func lookupMap(m map[string]string) lookupFunc {
	return func(n string) (string, bool) { v, ok := m[n]; return v, ok }
}

func TestCondTruthTable(t *testing.T) {
	cases := map[string]bool{
		"t1": true, "t2": true, "t3": true, "t4": true,
		"f1": false, "f2": false, "f3": false, "f4": false,
		"undefined": false, "not undefined": true,
		"not t1": false, "not not t1": true,
		"t1 and t2": true, "t1 and f1": false, "f1 and maybe": false, // short-circuit before maybe
		"f1 or t1": true, "f1 or f2": false, "t1 or maybe": true,
		"t1 and (f1 or t2)": true, "(t1 and f1) or f2": false, "not (f1 or f2)": true,
		"t1 or f1 and f2": true, // and binds tighter
		"os == 'redhat'":  true, `os == "ubuntu"`: false, "os != 'ubuntu'": true,
		"os.version == 7": true, "os.version == '7'": true, "ver == 7": true, "ver == '7'": false,
		"t1 == true": true, "t2 == True": true, "f1 == false": true, "t1 == false": false,
		"undefined == None": true, "os == None": false, "undefined != 'x'": true,
		"arch in ['x86_64', 'aarch64']": true, "arch in ('aarch64',)": false,
		"arch in 'x86_64,aarch64'": true, "arch in 'aarch64, ppc64le'": false,
		"'b' in list": true, "'d' in list": false, "'b' not in list": false,
		"os in undefined": false, "7 in (6, 7)": true, "os.version in [6, 8]": false,
		"empty == ''": true, "empty != ''": false,
		"-1 == -1.0": true,
	}
	look := lookupMap(condAttrs)
	for src, want := range cases {
		c, err := compileCond(src)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		got, err := c.eval(look)
		if err != nil {
			t.Errorf("%q: %v", src, err)
			continue
		}
		if got != want {
			t.Errorf("%q = %v, want %v", src, got, want)
		}
	}
}

func TestCondErrors(t *testing.T) {
	syntax := map[string]string{
		"":            "unexpected end of expression",
		"t1 and":      "unexpected end of expression",
		"(t1":         "expected , or )",
		"t1 t2":       `unexpected "t2" at column 4`,
		"os = 'x'":    "unexpected character '='",
		"'open":       "unterminated string",
		"()":          "empty parentheses",
		"12abc":       "malformed number",
		"a == b == c": `unexpected "=="`,
		"t1 && t2":    "unexpected character '&'",
		strings.Repeat("(", 100) + "t1" + strings.Repeat(")", 100): "nested deeper",
	}
	for src, want := range syntax {
		_, err := compileCond(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("compile %q: err = %v, want %q", src, err, want)
		}
	}
	eval := map[string]string{
		"maybe":               `attribute "maybe" is "maybe", which is not a boolean`,
		"t1 and maybe":        `"maybe"`,
		"not maybe":           `"maybe"`,
		"'x'":                 `"x" is not a boolean`,
		"7":                   "number 7 is not a boolean",
		"maybe == true":       `"maybe"`,
		"[1] == [1]":          "cannot compare",
		"os in 7":             "must be a list or a comma-separated string",
		"['a'] in ['a']":      "single value",
		"os == 'redhat' or 1": "",
	}
	look := lookupMap(condAttrs)
	for src, want := range eval {
		c, err := compileCond(src)
		if err != nil {
			t.Errorf("compile %q: %v", src, err)
			continue
		}
		_, err = c.eval(look)
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v", src, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("eval %q: err = %v, want %q", src, err, want)
		}
	}
}

func FuzzCond(f *testing.F) {
	for _, s := range []string{"t1 and (f1 or not maybe)", "arch in ['x86_64', 'aarch64']", "os.version == 7", "'b' not in list", "((", "-1.5 == x"} {
		f.Add(s)
	}
	look := lookupMap(condAttrs)
	f.Fuzz(func(t *testing.T, src string) {
		c, err := compileCond(src)
		if err != nil {
			return
		}
		c.eval(look) // must not panic; errors are fine
	})
}
