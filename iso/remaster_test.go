package iso_test

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem/fat12"
	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/iso"
	"github.com/palletizer/palletizer/iso/isotest"
)

const newLabel = "mesos-dc1 slave 1.4.0"

func remaster(t *testing.T, base string) string {
	t.Helper()
	dir := t.TempDir()
	ks := filepath.Join(dir, "slave.ks")
	if err := os.WriteFile(ks, []byte("text\nreboot\n%packages\nmesos\n%end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(dir, "repo")
	for name, data := range map[string]string{"RPMS/mesos-1.4.0-2.0.1.el7.x86_64.rpm": "rpm", "repodata/repomd.xml": "<repomd/>"} {
		p := filepath.Join(repo, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "slave.iso")
	err := iso.Remaster(context.Background(), base, out, iso.RemasterOptions{
		VolumeLabel: newLabel, Kickstart: ks, Extra: map[string]string{"repo": repo},
		ModTime: time.Date(2024, 5, 6, 0, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("Remaster: %v", err)
	}
	return out
}

func TestRemaster(t *testing.T) {
	xorriso := testutil.RequireTool(t, "xorriso")
	base := filepath.Join(t.TempDir(), "base.iso")
	if err := isotest.WriteBaseInstaller(base); err != nil {
		t.Fatal(err)
	}
	out := remaster(t, base)

	rep, err := exec.Command(xorriso, "-indev", out, "-report_el_torito", "plain", "-report_system_area", "plain").CombinedOutput()
	if err != nil {
		t.Fatalf("xorriso: %v\n%s", err, rep)
	}
	for _, want := range []string{
		"Volume id    : '" + newLabel + "'",
		"El Torito cat path : /isolinux/boot.cat",
		"El Torito boot img :   1  BIOS  y   none  0x0000  0x00      4",
		"El Torito boot img :   2  UEFI  y   none",
		"El Torito img path :   1  /isolinux/isolinux.bin",
		"El Torito img opts :   1  boot-info-table",
		"El Torito img path :   2  /images/efiboot.img",
		"MBR partition      :   1   0x80  0x17            0",
		"MBR partition path :   2  /images/efiboot.img",
	} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("xorriso report lacks %q:\n%s", want, rep)
		}
	}

	im, err := iso.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	esc := strings.ReplaceAll(newLabel, " ", `\x20`)
	wantArgs := "inst.stage2=hd:LABEL=" + esc + " inst.ks=hd:LABEL=" + esc + ":/ks.cfg"
	for _, menu := range []string{"isolinux/isolinux.cfg", "EFI/BOOT/grub.cfg"} {
		b := readImageFile(t, im, menu)
		if strings.Count(b, wantArgs) != 2 || strings.Contains(b, "CentOS\\x207") {
			t.Errorf("%s not pointed at the kickstart:\n%s", menu, b)
		}
	}
	if b := readImageFile(t, im, "EFI/BOOT/grub.cfg"); !strings.Contains(b, "-l '"+newLabel+"'") {
		t.Errorf("grub.cfg search does not use the new label:\n%s", b)
	}
	if b := readImageFile(t, im, "ks.cfg"); !strings.Contains(b, "%packages") {
		t.Errorf("ks.cfg = %q", b)
	}
	if b := readImageFile(t, im, "repo/repodata/repomd.xml"); b != "<repomd/>" {
		t.Errorf("repo/repodata/repomd.xml = %q", b)
	}
	if _, ok := im.Stat("isolinux/isolinux.bin"); !ok {
		t.Error("isolinux.bin missing")
	}

	// the grub.cfg inside efiboot.img, the one UEFI firmware actually reads
	efi := filepath.Join(t.TempDir(), "efiboot.img")
	r, err := im.Open("images/efiboot.img")
	if err != nil {
		t.Fatal(err)
	}
	w, _ := os.Create(efi)
	if _, err := io.Copy(w, r); err != nil {
		t.Fatal(err)
	}
	w.Close()
	f, _ := os.Open(efi)
	defer f.Close()
	fi, _ := f.Stat()
	fsys, err := fat12.Read(file.New(f, true), fi.Size(), 0, 512)
	if err != nil {
		t.Fatal(err)
	}
	g, err := fsys.OpenFile("/EFI/BOOT/grub.cfg", os.O_RDONLY)
	if err != nil {
		t.Fatal(err)
	}
	gb, _ := io.ReadAll(g)
	if strings.Count(string(gb), wantArgs) != 2 {
		t.Errorf("grub.cfg inside efiboot.img not pointed at the kickstart:\n%s", gb)
	}

	// same inputs, same bytes
	again := remaster(t, base)
	if sha(t, out) != sha(t, again) {
		t.Error("two remasters of the same base differ")
	}
}

func readImageFile(t *testing.T, im *iso.Image, name string) string {
	t.Helper()
	r, err := im.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sha(t *testing.T, p string) string {
	t.Helper()
	out, err := exec.Command("sha256sum", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Fields(string(out))[0]
}
