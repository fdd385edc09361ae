package iso

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
)

func TestImageReadsOwnWrite(t *testing.T) {
	src, files := fixtureTree(t)
	out := writeFixture(t, src, WriteOptions{VolumeLabel: "stacki", Joliet: true})
	im, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if im.Label() != "stacki" {
		t.Errorf("Label = %q", im.Label())
	}
	for name, want := range files {
		f, ok := im.Stat(name)
		if !ok || f.Size != int64(len(want)) || f.Mode != 0o444 {
			t.Errorf("Stat(%s) = %+v, %v", name, f, ok)
			continue
		}
		r, err := im.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(r)
		if !bytes.Equal(got, want) {
			t.Errorf("Open(%s): %d bytes, want %d", name, len(got), len(want))
		}
	}
	if f, ok := im.Stat("readme-link"); !ok || f.LinkTarget != "MixedCase/ReadMe.TXT" {
		t.Errorf("symlink = %+v", f)
	}
	if f, ok := im.Stat("a/b"); !ok || !f.Mode.IsDir() {
		t.Errorf("directory a/b = %+v", f)
	}
	dst := filepath.Join(t.TempDir(), "x")
	if err := im.Extract(context.Background(), dst); err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		if got, err := os.ReadFile(filepath.Join(dst, name)); err != nil || !bytes.Equal(got, want) {
			t.Errorf("extracted %s: %v", name, err)
		}
	}
	if _, err := im.BootCatalog(); err != ErrNoBootCatalog {
		t.Errorf("BootCatalog of a non-bootable image = %v", err)
	}
}

// An image made by xorriso, not by us: names, modes and the BIOS+UEFI boot catalog.
func TestImageReadsXorriso(t *testing.T) {
	xorriso := testutil.RequireTool(t, "xorriso")
	src := t.TempDir()
	for name, size := range map[string]int{"isolinux/isolinux.bin": 4096, "images/efiboot.img": 1 << 20, "Packages/Long-Mixed-Case-Name-1.0-1.el7.x86_64.rpm": 3000} {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, bytes.Repeat([]byte{7}, size), 0o644)
	}
	out := filepath.Join(t.TempDir(), "x.iso")
	cmd := exec.Command(xorriso, "-as", "mkisofs", "-R", "-J", "-V", "CentOS 7 x86_64", "-o", out,
		"-b", "isolinux/isolinux.bin", "-c", "isolinux/boot.cat", "-no-emul-boot", "-boot-load-size", "4", "-boot-info-table",
		"-eltorito-alt-boot", "-e", "images/efiboot.img", "-no-emul-boot", src)
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xorriso: %v\n%s", err, o)
	}
	im, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	if f, ok := im.Stat("Packages/Long-Mixed-Case-Name-1.0-1.el7.x86_64.rpm"); !ok || f.Size != 3000 {
		t.Errorf("long name = %+v %v", f, ok)
	}
	cat, err := im.BootCatalog()
	if err != nil {
		t.Fatal(err)
	}
	if len(cat) != 2 {
		t.Fatalf("catalog = %+v", cat)
	}
	if c := cat[0]; c.Platform != PlatformBIOS || c.Emulation != NoEmulation || c.LoadSize != 4 || c.Path != "isolinux/isolinux.bin" || !c.Bootable {
		t.Errorf("BIOS entry = %+v", c)
	}
	if c := cat[1]; c.Platform != PlatformEFI || c.Path != "images/efiboot.img" || c.LoadSize != 2048 {
		t.Errorf("UEFI entry = %+v", c)
	}
	if im.BootCatalogPath() != "isolinux/boot.cat" {
		t.Errorf("BootCatalogPath = %q", im.BootCatalogPath())
	}
	rep, _ := exec.Command(xorriso, "-indev", out, "-report_el_torito", "plain").CombinedOutput()
	for _, e := range cat {
		if !strings.Contains(string(rep), "/"+e.Path) {
			t.Errorf("xorriso does not report %s:\n%s", e.Path, rep)
		}
	}
}

func TestParseBootCatalogInvalid(t *testing.T) {
	valid := make([]byte, 64)
	valid[0], valid[0x1e], valid[0x1f] = 1, 0x55, 0xaa
	// checksum word makes the 16-bit sum zero
	valid[0x1c], valid[0x1d] = 0xaa, 0x55
	valid[32] = 0x88
	if _, err := parseBootCatalog(valid); err != nil {
		t.Fatalf("minimal catalog: %v", err)
	}
	for name, mutate := range map[string]func(b []byte){
		"no header":     func(b []byte) { b[0] = 2 },
		"bad key":       func(b []byte) { b[0x1f] = 0 },
		"bad checksum":  func(b []byte) { b[0x1c] = 0 },
		"bad indicator": func(b []byte) { b[32] = 0x42 },
		"bad emulation": func(b []byte) { b[33] = 9 },
	} {
		b := append([]byte(nil), valid...)
		mutate(b)
		if _, err := parseBootCatalog(b); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	truncated := append(append([]byte(nil), valid...), 0x91, 0xef, 5, 0)
	truncated = append(truncated, make([]byte, 28)...)
	if _, err := parseBootCatalog(truncated); err == nil {
		t.Error("section running past the catalog accepted")
	}
}

func FuzzParseBootCatalog(f *testing.F) {
	seed := make([]byte, 128)
	seed[0], seed[0x1e], seed[0x1f], seed[0x1c], seed[0x1d] = 1, 0x55, 0xaa, 0xaa, 0x55
	seed[32], seed[64], seed[65], seed[66], seed[96] = 0x88, 0x91, 0xef, 1, 0x88
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := parseBootCatalog(b)
		if err == nil && len(entries) > len(b)/32 {
			t.Fatalf("%d entries from %d bytes", len(entries), len(b))
		}
	})
}

func TestPointMenu(t *testing.T) {
	in := "label linux\n  append initrd=initrd.img inst.stage2=hd:LABEL=Old\\x20Label ks=http://x/ks quiet\r\nlabel local\n  localboot 0xffff\nsearch --no-floppy --set=root -l 'Old Label'\n"
	out, n, err := pointMenu([]byte(in), "New Label", "/ks.cfg")
	if err != nil || n != 1 {
		t.Fatalf("pointMenu = %d, %v", n, err)
	}
	want := "label linux\n  append initrd=initrd.img inst.stage2=hd:LABEL=New\\x20Label inst.ks=hd:LABEL=New\\x20Label:/ks.cfg quiet\r\nlabel local\n  localboot 0xffff\nsearch --no-floppy --set=root -l 'New Label'\n"
	if string(out) != want {
		t.Errorf("pointMenu =\n%q\nwant\n%q", out, want)
	}
	if _, _, err := pointMenu([]byte("default local\n"), "x", "/ks.cfg"); err == nil {
		t.Error("a menu without inst.stage2 accepted")
	}
}
