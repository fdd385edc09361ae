package profile

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var errorMark = regexp.MustCompile(`<!-- ERROR: (.*?) -->`)

// TestErrorFiles checks each invalid fixture's message and line against its inline mark.
func TestErrorFiles(t *testing.T) {
	paths, err := filepath.Glob("testdata/errors/*/extend-base.xml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path)), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantLine, wantText := 0, ""
			for i, l := range strings.Split(string(data), "\n") {
				if m := errorMark.FindStringSubmatch(l); m != nil {
					wantLine, wantText = i+1, m[1]
				}
			}
			if wantLine == 0 {
				t.Fatal("fixture has no ERROR mark")
			}
			in := Input{Host: "h1", Address: "10.0.0.1", Role: "r", Cluster: Cluster{Name: "c", OS: OS{Name: "centos", Release: "7"}, Arch: "x86_64"},
				Layers: []Layer{{Scope: ScopeHost, Values: map[string]string{"is_mesos_master": "true", "zookeeper_ip": "10.0.0.9", "mood": "maybe"}}},
				Nodes:  []NodeFile{{Path: path, Data: data}}}
			_, err = Build(in)
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *profile.Error", err)
			}
			if pe.File != path || pe.Line != wantLine || !strings.Contains(pe.Error(), wantText) {
				t.Errorf("got %v\nwant %s:%d: ...%s...", err, path, wantLine, wantText)
			}
		})
	}
}

func TestUnknownEntitySuggestion(t *testing.T) {
	data, _ := os.ReadFile("testdata/errors/unknown-entity/extend-base.xml")
	in := Input{Host: "h1", Role: "r", Cluster: Cluster{OS: OS{Name: "centos", Release: "7"}},
		Layers: []Layer{{Scope: ScopeGlobal, Values: map[string]string{"zookeeper_ip": "10.0.0.9"}}},
		Nodes:  []NodeFile{{Path: "extend-base.xml", Data: data}}}
	_, err := Build(in)
	if !errors.Is(err, ErrUnknownEntity) || !strings.Contains(err.Error(), `did you mean "zookeeper_ip"`) {
		t.Errorf("err = %v", err)
	}
}
