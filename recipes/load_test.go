package recipes

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// testComponents stands in for the built-in component list the builder passes.
var testComponents = []string{"chronos", "docker", "haproxy", "keepalived", "marathon", "marathon-lb", "mesos-master", "mesos-slave", "zookeeper"}

var markerRe = regexp.MustCompile(`# (ERROR|WARNING): (.*)$`)

type marker struct {
	line     int
	severity hcl.DiagnosticSeverity
	text     string
}

// TestInvalidRecipes loads every recipe under testdata/invalid and checks that each
// `# ERROR: text` (or WARNING) marker has a diagnostic on its line containing the text, and that
// no diagnostic appears where none is marked.
func TestInvalidRecipes(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid/*.hcl")
	if err != nil || len(files) < 20 {
		t.Fatalf("want at least 20 invalid recipes, found %d (%v)", len(files), err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var markers []marker
			sc := bufio.NewScanner(bytes.NewReader(src))
			for n := 1; sc.Scan(); n++ {
				if m := markerRe.FindStringSubmatch(sc.Text()); m != nil {
					sev := hcl.DiagError
					if m[1] == "WARNING" {
						sev = hcl.DiagWarning
					}
					markers = append(markers, marker{line: n, severity: sev, text: m[2]})
				}
			}
			if len(markers) == 0 {
				t.Fatal("fixture has no # ERROR: or # WARNING: marker")
			}
			_, diags := LoadSource(path, src, Options{Components: testComponents, Environ: []string{}})
			used := make([]bool, len(diags))
			for _, m := range markers {
				found := false
				for i, d := range diags {
					if d.Subject == nil || d.Subject.Start.Line != m.line || d.Severity != m.severity {
						continue
					}
					if strings.Contains(d.Summary+": "+d.Detail, m.text) {
						found, used[i] = true, true
					}
				}
				if !found {
					t.Errorf("line %d: no diagnostic containing %q; got:\n%s", m.line, m.text, render(diags))
				}
			}
			for i, d := range diags {
				if !used[i] {
					t.Errorf("unexpected diagnostic: %s", renderOne(d))
				}
			}
		})
	}
}

func render(diags hcl.Diagnostics) string {
	var b strings.Builder
	for _, d := range diags {
		b.WriteString("  " + renderOne(d) + "\n")
	}
	return b.String()
}

func renderOne(d *hcl.Diagnostic) string {
	where := "?"
	if d.Subject != nil {
		where = d.Subject.String()
	}
	return where + ": " + d.Summary + ": " + d.Detail
}

func TestExamplesValid(t *testing.T) {
	files, _ := filepath.Glob("examples/*.hcl")
	if len(files) < 3 {
		t.Fatalf("want the three stock recipes, found %v", files)
	}
	for _, path := range files {
		r, diags := Load(path, Options{Components: testComponents, Environ: []string{}})
		if len(diags) > 0 {
			t.Errorf("%s: %s", path, render(diags))
			continue
		}
		if len(r.Hosts) == 0 || len(r.Roles) == 0 {
			t.Errorf("%s: no hosts or roles decoded", path)
		}
	}
}

func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/invalid/*.hcl")
	ex, _ := filepath.Glob("examples/*.hcl")
	for _, p := range append(seeds, ex...) {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		r, diags := LoadSource("fuzz.hcl", src, Options{Components: testComponents, Environ: []string{}})
		if r == nil {
			t.Fatal("LoadSource returned a nil recipe")
		}
		for _, d := range diags {
			if d.Severity == hcl.DiagError && d.Summary == "" {
				t.Fatalf("error without a summary: %#v", d)
			}
		}
	})
}
