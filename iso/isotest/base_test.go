package isotest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
)

func TestWriteBaseInstaller(t *testing.T) {
	xorriso := testutil.RequireTool(t, "xorriso")
	out := filepath.Join(t.TempDir(), "base.iso")
	if err := WriteBaseInstaller(out); err != nil {
		t.Fatal(err)
	}
	rep, err := exec.Command(xorriso, "-indev", out, "-report_el_torito", "plain", "-report_system_area", "plain").CombinedOutput()
	if err != nil {
		t.Fatalf("xorriso: %v\n%s", err, rep)
	}
	for _, want := range []string{"El Torito boot img :   1  BIOS  y   none", "El Torito boot img :   2  UEFI  y   none", "/isolinux/isolinux.bin", "/images/efiboot.img", "MBR partition      :   2   0x00  0xef", "MBR partition path :   2  /images/efiboot.img"} {
		if !strings.Contains(string(rep), want) {
			t.Errorf("xorriso report lacks %q:\n%s", want, rep)
		}
	}
}
