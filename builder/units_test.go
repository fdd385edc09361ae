package builder

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/profile"
)

// Every container unit the indigo recipe renders passes `systemd-analyze verify`, in a root
// holding the system's units, a docker.service and an executable /usr/bin/docker.
func TestContainerUnitsVerify(t *testing.T) {
	analyze := testutil.RequireTool(t, "systemd-analyze")
	sysUnits := "/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(sysUnits, "multi-user.target")); err != nil {
		t.Fatalf("no systemd units at %s to verify against (Debian package systemd): %v", sysUnits, err)
	}
	r := loadExample(t, "indigo-containers")
	profiles := profilesOf(t, r)
	checked := 0
	for _, host := range []string{"master-1", "slave-1", "lb-1"} {
		p := mustHost(t, profiles, host)
		if len(p.Containers) == 0 {
			t.Fatalf("%s runs no containers", host)
		}
		root := fakeRoot(t, sysUnits)
		var names []string
		for _, c := range p.Containers {
			f := findFile(p, c.Unit)
			if f == nil {
				t.Fatalf("%s: container %s has no unit file %s", host, c.Name, c.Unit)
			}
			dst := filepath.Join(root, filepath.FromSlash(c.Unit))
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dst, []byte(f.Content), 0o644); err != nil {
				t.Fatal(err)
			}
			names = append(names, filepath.Base(c.Unit))
		}
		out, err := exec.Command(analyze, append([]string{"verify", "--root=" + root}, names...)...).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("%s: systemd-analyze verify %v: %v\n%s", host, names, err, out)
		}
		checked += len(names)
	}
	if checked < 5 {
		t.Errorf("verified only %d units", checked)
	}
}

func fakeRoot(t *testing.T, sysUnits string) string {
	t.Helper()
	root := t.TempDir()
	lib := filepath.Join(root, "usr", "lib", "systemd")
	if err := os.MkdirAll(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-r", sysUnits, lib+"/").CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v\n%s", sysUnits, err, out)
	}
	for path, f := range map[string]struct {
		body string
		mode os.FileMode
	}{
		"usr/bin/docker":                    {"#!/bin/sh\n", 0o755},
		"etc/systemd/system/docker.service": {"[Unit]\nDescription=Docker\n[Service]\nExecStart=/usr/bin/docker\n", 0o644},
	} {
		p := filepath.Join(root, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(f.body), f.mode); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func findFile(p *profile.Profile, path string) *profile.File {
	for i := range p.Files {
		if p.Files[i].Path == path {
			return &p.Files[i]
		}
	}
	for _, s := range p.Scripts {
		for _, st := range s.Steps {
			if st.File != nil && st.File.Path == path {
				return st.File
			}
		}
	}
	return nil
}
