package iso

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palletizer/palletizer/internal/testutil"
)

var testEpoch = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// fixtureTree builds a tree with what pallets and installers hold: long and mixed-case names,
// names that collide in 8.3, a deep path, an empty file, a symlink and a multi-sector file.
func fixtureTree(t testing.TB) (string, map[string][]byte) {
	t.Helper()
	dir := t.TempDir()
	big := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640000 bytes, many sectors
	files := map[string][]byte{
		".discinfo": []byte("1714979289.0\nmesos\nx86_64\n1\n"),
		"mesos/1.4.0/redhat7/redhat/x86_64/roll-mesos.xml":                                    []byte("<roll/>\n"),
		"mesos/1.4.0/redhat7/redhat/x86_64/RPMS/mesos-1.4.0-2.0.1.el7.x86_64.rpm":             big,
		"mesos/1.4.0/redhat7/redhat/x86_64/RPMS/kernel-tools-3.10.0-1160.el7.x86_64.rpm":      []byte("a"),
		"mesos/1.4.0/redhat7/redhat/x86_64/RPMS/kernel-tools-libs-3.10.0-1160.el7.x86_64.rpm": []byte("b"),
		"mesos/1.4.0/redhat7/redhat/x86_64/repodata/repomd.xml":                               []byte("<repomd/>\n"),
		"MixedCase/ReadMe.TXT":         []byte("Mixed case\n"),
		"empty":                        {},
		"a/b/c/d/e/f/g/h/i/j/deep.txt": []byte("ten levels down\n"),
		"A Name With Spaces And A Very Long Tail That Exceeds Sixty Four Characters.txt": []byte("long\n"),
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("MixedCase/ReadMe.TXT", filepath.Join(dir, "readme-link")); err != nil {
		t.Fatal(err)
	}
	return dir, files
}

func writeFixture(t testing.TB, src string, opts WriteOptions) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.iso")
	if opts.ModTime.IsZero() {
		opts.ModTime = testEpoch
	}
	if err := Write(context.Background(), src, out, opts); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return out
}

func fileSHA(t testing.TB, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestWriteReadByXorriso(t *testing.T) {
	xorriso := testutil.RequireTool(t, "xorriso")
	osirrox := testutil.RequireTool(t, "osirrox")
	src, files := fixtureTree(t)
	for _, joliet := range []bool{false, true} {
		out := writeFixture(t, src, WriteOptions{VolumeLabel: "stacki", Joliet: joliet})
		// xorriso lists every Rock Ridge name, long and mixed-case included.
		cmd := exec.Command(xorriso, "-indev", out, "-find", "/", "-exec", "lsdl")
		got, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("xorriso -find: %v\n%s", err, got)
		}
		for name := range files {
			if !strings.Contains(string(got), "'/"+name+"'") {
				t.Errorf("joliet=%v: xorriso does not list %s:\n%s", joliet, name, got)
			}
		}
		if !strings.Contains(string(got), "'/readme-link' -> 'MixedCase/ReadMe.TXT'") {
			t.Errorf("symlink missing from xorriso listing:\n%s", got)
		}
		// osirrox extracts the whole tree; every file must match byte for byte.
		ex := filepath.Join(t.TempDir(), "x")
		cmd = exec.Command(osirrox, "-indev", out, "-extract", "/", ex)
		if o, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("osirrox -extract: %v\n%s", err, o)
		}
		for name, want := range files {
			b, err := os.ReadFile(filepath.Join(ex, name))
			if err != nil {
				t.Errorf("extracted %s: %v", name, err)
				continue
			}
			if !bytes.Equal(b, want) {
				t.Errorf("extracted %s differs (%d bytes, want %d)", name, len(b), len(want))
			}
		}
		if l, err := os.Readlink(filepath.Join(ex, "readme-link")); err != nil || l != "MixedCase/ReadMe.TXT" {
			t.Errorf("extracted symlink = %q, %v", l, err)
		}
	}
}

func TestWriteReadByIsoinfo(t *testing.T) {
	isoinfo := testutil.RequireTool(t, "isoinfo")
	src, files := fixtureTree(t)
	out := writeFixture(t, src, WriteOptions{VolumeLabel: "stacki", Joliet: true})
	pvd, err := exec.Command(isoinfo, "-d", "-i", out).CombinedOutput()
	if err != nil {
		t.Fatalf("isoinfo -d: %v\n%s", err, pvd)
	}
	for _, want := range []string{"Volume id: stacki", "Rock Ridge signatures version 1 found", "Joliet with UCS level 3 found"} {
		if !strings.Contains(string(pvd), want) {
			t.Errorf("isoinfo -d lacks %q:\n%s", want, pvd)
		}
	}
	for _, name := range []string{"MixedCase/ReadMe.TXT", "mesos/1.4.0/redhat7/redhat/x86_64/RPMS/mesos-1.4.0-2.0.1.el7.x86_64.rpm", "a/b/c/d/e/f/g/h/i/j/deep.txt"} {
		got, err := exec.Command(isoinfo, "-R", "-i", out, "-x", "/"+name).Output()
		if err != nil {
			t.Fatalf("isoinfo -x %s: %v", name, err)
		}
		if !bytes.Equal(got, files[name]) {
			t.Errorf("isoinfo -R -x /%s: %d bytes, want %d", name, len(got), len(files[name]))
		}
	}
	// the Joliet tree carries the same long name
	lst, err := exec.Command(isoinfo, "-J", "-f", "-i", out).CombinedOutput()
	if err != nil {
		t.Fatalf("isoinfo -J -f: %v\n%s", err, lst)
	}
	if !strings.Contains(string(lst), "/MixedCase/ReadMe.TXT") {
		t.Errorf("Joliet listing lacks /MixedCase/ReadMe.TXT:\n%s", lst)
	}
}

func TestWriteReproducible(t *testing.T) {
	src, _ := fixtureTree(t)
	a := writeFixture(t, src, WriteOptions{VolumeLabel: "stacki", Joliet: true})
	// touch every source file: its ctime and atime change; the image must not
	time.Sleep(10 * time.Millisecond)
	if err := os.Chtimes(filepath.Join(src, "empty"), time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	b := writeFixture(t, src, WriteOptions{VolumeLabel: "stacki", Joliet: true})
	if fileSHA(t, a) != fileSHA(t, b) {
		t.Errorf("two writes of the same tree differ: %s vs %s", fileSHA(t, a), fileSHA(t, b))
	}
	c := writeFixture(t, src, WriteOptions{VolumeLabel: "stacki", Joliet: true, ModTime: testEpoch.Add(time.Hour)})
	if fileSHA(t, a) == fileSHA(t, c) {
		t.Error("a different ModTime gave the same image")
	}
}

func TestWriteRefusesHugeFile(t *testing.T) {
	src := t.TempDir()
	f, err := os.Create(filepath.Join(src, "huge.img"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	out := filepath.Join(t.TempDir(), "out.iso")
	err = Write(context.Background(), src, out, WriteOptions{})
	if !errors.Is(err, ErrFileTooLarge) || !strings.Contains(err.Error(), "huge.img") {
		t.Fatalf("Write = %v, want ErrFileTooLarge naming huge.img", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output exists after a refused write: %v", err)
	}
}

func TestWriteLabel(t *testing.T) {
	src := t.TempDir()
	out := filepath.Join(t.TempDir(), "out.iso")
	for _, bad := range []string{strings.Repeat("x", 33), "tab\there", "caf\u00e9"} {
		if err := Write(context.Background(), src, out, WriteOptions{VolumeLabel: bad}); err == nil {
			t.Errorf("label %q accepted", bad)
		}
	}
	if err := Write(context.Background(), src, out, WriteOptions{VolumeLabel: strings.Repeat("x", 32)}); err != nil {
		t.Errorf("32-character label refused: %v", err)
	}
}

// go-diskfs numbers colliding 8.3 names in map order; these two groups compete for
// KERNEL_0.10_... and used to swap between runs.
func TestWriteReproducibleWith83Collisions(t *testing.T) {
	xorriso := testutil.RequireTool(t, "xorriso")
	src := t.TempDir()
	names := []string{"kernel-tools-3.10.0.rpm", "kernel-tools-libs-3.10.0.rpm", "kernel-debug-3.10.0.rpm", "kernel-devel-3.10.0.rpm", "kernel-doc-3.10.0.rpm"}
	for i, n := range names {
		// different sizes, so a swapped layout cannot hide
		if err := os.WriteFile(filepath.Join(src, n), bytes.Repeat([]byte(n), 200*(i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var first string
	for i := 0; i < 12; i++ {
		out := writeFixture(t, src, WriteOptions{Joliet: true})
		if sum := fileSHA(t, out); first == "" {
			first = sum
			ex := filepath.Join(t.TempDir(), "x")
			if o, err := exec.Command(xorriso, "-osirrox", "on", "-indev", out, "-extract", "/", ex).CombinedOutput(); err != nil {
				t.Fatalf("xorriso -extract: %v\n%s", err, o)
			}
			for i, n := range names {
				b, err := os.ReadFile(filepath.Join(ex, n))
				if err != nil || !bytes.Equal(b, bytes.Repeat([]byte(n), 200*(i+1))) {
					t.Errorf("extracted %s differs: %v", n, err)
				}
			}
		} else if sum != first {
			t.Fatalf("write %d gave %s, first gave %s", i, sum, first)
		}
	}
}
