package iso

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/palletizer/palletizer/internal/testutil"
)

var mesos = Pallet{Name: "mesos", Version: "1.4.0", Release: "redhat7", OS: "redhat", Arch: "x86_64"}

func TestPalletNames(t *testing.T) {
	if got := mesos.FileName(); got != "mesos-1.4.0-redhat7.x86_64.disk1.iso" {
		t.Errorf("FileName = %q", got)
	}
	if got := mesos.Dir(LayoutStacki5); got != "mesos/1.4.0/redhat7/redhat/x86_64" {
		t.Errorf("Dir(5.x) = %q", got)
	}
	if got := mesos.Dir(LayoutV3); got != "mesos/1.4.0/redhat/x86_64" {
		t.Errorf("Dir(v3) = %q", got)
	}
	for _, bad := range []Pallet{{}, {Name: "x", Version: "1", Release: "r", OS: "redhat"}, {Name: "../x", Version: "1", Release: "r", OS: "redhat", Arch: "x86_64"}} {
		if bad.Validate() == nil {
			t.Errorf("Validate(%+v) accepted", bad)
		}
	}
}

func TestRollGolden(t *testing.T) {
	full := NewRoll(mesos)
	full.Timestamp = &RollTimestamp{Time: "07:08:09", Date: "2024-05-06", TZ: "UTC"}
	full.Color = &RollColor{Edge: "lawngreen", Node: "lawngreen"}
	full.Author = &RollAuthor{Name: "palletizer", Host: "build & test"}
	cases := map[string]Roll{"minimal": NewRoll(mesos), "full": full}
	for name, roll := range cases {
		t.Run(name, func(t *testing.T) {
			got := roll.Marshal()
			testutil.Golden(t, filepath.Join("testdata", "roll", name, "roll-mesos.xml"), got)
			back, err := ParseRoll(bytes.NewReader(got))
			if err != nil {
				t.Fatalf("ParseRoll(Marshal()): %v", err)
			}
			if !bytes.Equal(back.Marshal(), got) {
				t.Errorf("round trip changed the roll:\n%s", back.Marshal())
			}
		})
	}
}

func TestParseRollInvalid(t *testing.T) {
	cases := []struct{ name, xml, want string }{
		{"empty", "", "EOF"},
		{"not xml", "roll", "EOF"},
		{"wrong root", `<pallet name="x"/>`, "expected element type <roll>"},
		{"no name", `<roll><info version="1" release="r" arch="x86_64" os="redhat"/></roll>`, "no name"},
		{"no info", `<roll name="x"/>`, "exactly one <info>"},
		{"two infos", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/><info version="1" release="r" arch="a" os="redhat"/></roll>`, "exactly one <info>"},
		{"no version", `<roll name="x"><info release="r" arch="a" os="redhat"/></roll>`, "no version"},
		{"no release", `<roll name="x"><info version="1" arch="a" os="redhat"/></roll>`, "no release"},
		{"no arch", `<roll name="x"><info version="1" release="r" os="redhat"/></roll>`, "no arch"},
		{"no os", `<roll name="x"><info version="1" release="r" arch="a"/></roll>`, "no os"},
		{"blank name", `<roll name="  "><info version="1" release="r" arch="a" os="redhat"/></roll>`, "no name"},
		{"unknown element", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/><bogus/></roll>`, "unknown element <bogus>"},
		{"bad number", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/><iso maxsize="big"/></roll>`, "not a number"},
		{"two rpm", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/><rpm/><rpm/></roll>`, "<rpm> appears 2 times"},
		{"trailing root", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/></roll><roll/>`, "content after </roll>"},
		{"trailing text", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/></roll>junk`, "text after </roll>"},
		{"unclosed", `<roll name="x"><info version="1" release="r" arch="a" os="redhat"/>`, "unexpected EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseRoll(strings.NewReader(c.xml))
			if !errors.Is(err, ErrInvalidRoll) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("ParseRoll = %v, want ErrInvalidRoll containing %q", err, c.want)
			}
		})
	}
}

func TestParseRollLinuxIsRedhat(t *testing.T) {
	r, err := ParseRoll(strings.NewReader(`<roll name="CentOS" interface="3.1"><color edge="lawngreen" node="lawngreen"/><info version="7" release="redhat7" arch="x86_64" os="linux"/><iso maxsize="0" addcomps="0" bootable="0" mkisofs=""/><rpm rolls="0" bin="1" src="0"/></roll>`))
	if err != nil {
		t.Fatal(err)
	}
	if r.OS != "redhat" || r.Interface != "3.1" || r.Color == nil || r.RPM.Bin != 1 {
		t.Errorf("parsed %+v", r)
	}
}

func FuzzParseRoll(f *testing.F) {
	f.Add(NewRoll(mesos).Marshal())
	f.Add([]byte(`<roll name="x"><info version="1" release="r" arch="a" os="linux"/><iso maxsize="0"/></roll>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRoll(bytes.NewReader(b))
		if err != nil {
			return
		}
		if r.Name == "" || r.Version == "" || r.Release == "" || r.Arch == "" || r.OS == "" {
			t.Fatalf("accepted an incomplete roll: %+v", r)
		}
		if _, err := ParseRoll(bytes.NewReader(r.Marshal())); err != nil {
			t.Fatalf("Marshal of an accepted roll does not parse: %v\n%s", err, r.Marshal())
		}
	})
}

func TestDiscInfo(t *testing.T) {
	d := DiscInfo{Timestamp: time.Unix(1714979289, 948934000).UTC(), Name: "mesos", Arch: "x86_64", Disc: 1}
	got := d.Marshal()
	if string(got) != "1714979289.948934\nmesos\nx86_64\n1\n" {
		t.Errorf("Marshal = %q", got)
	}
	back, err := ParseDiscInfo(bytes.NewReader(got))
	if err != nil || back != d {
		t.Errorf("ParseDiscInfo = %+v, %v", back, err)
	}
	for _, bad := range []string{"", "1\nx\ny\n", "now\nx\ny\n1\n", "1\nx\ny\none\n"} {
		if _, err := ParseDiscInfo(strings.NewReader(bad)); err == nil {
			t.Errorf("ParseDiscInfo(%q) accepted", bad)
		}
	}
}

// stagePallet builds a pallet tree the way the builder will: meta, RPMS, repodata, nodes.
func stagePallet(t *testing.T) (string, map[string][]byte) {
	t.Helper()
	root := t.TempDir()
	dir, err := StagePalletMeta(root, NewRoll(mesos), LayoutStacki5, testEpoch)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"RPMS/mesos-1.4.0-2.0.1.el7.x86_64.rpm":                                 bytes.Repeat([]byte{0xed, 0xab, 0xee, 0xdb}, 5000),
		"RPMS/marathon-1.4.8-1.0.660.el7.x86_64.rpm":                            bytes.Repeat([]byte("marathon"), 3000),
		"RPMS/mesosphere-zookeeper-3.4.6-0.1.20141204175332.centos7.x86_64.rpm": []byte("zk"),
		"repodata/repomd.xml":                                                   []byte("<repomd/>\n"),
		"nodes/mesos-master.xml":                                                []byte("<stack:stack/>\n"),
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, files
}

func TestInspectPallet(t *testing.T) {
	root, files := stagePallet(t)
	out := filepath.Join(t.TempDir(), mesos.FileName())
	if err := Write(context.Background(), root, out, WriteOptions{VolumeLabel: PalletLabel, ModTime: testEpoch}); err != nil {
		t.Fatal(err)
	}
	rep, err := InspectPallet(out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Label != "stacki" || rep.DiscInfo == nil || rep.DiscInfo.Name != "mesos" || len(rep.Pallets) != 1 {
		t.Fatalf("report = %+v", rep)
	}
	p := rep.Pallets[0]
	if p.Root != mesos.Dir(LayoutStacki5) || p.Layout != LayoutStacki5 || p.Roll.Pallet() != mesos {
		t.Errorf("pallet root = %+v", p)
	}
	want := map[string]string{"roll-mesos.xml": ""}
	for name, data := range files {
		sum := sha256.Sum256(data)
		want[name] = hex.EncodeToString(sum[:])
	}
	if len(p.Files) != len(want) {
		t.Errorf("%d files, want %d: %+v", len(p.Files), len(want), p.Files)
	}
	for _, f := range p.Files {
		if w, ok := want[f.Path]; !ok || (w != "" && w != f.SHA256) {
			t.Errorf("file %s sha256 %s, want %q", f.Path, f.SHA256, w)
		}
	}

	// osirrox extracts the same pallet tree
	osirrox := testutil.RequireTool(t, "osirrox")
	ex := filepath.Join(t.TempDir(), "x")
	if o, err := exec.Command(osirrox, "-indev", out, "-extract", "/", ex).CombinedOutput(); err != nil {
		t.Fatalf("osirrox: %v\n%s", err, o)
	}
	for name, data := range files {
		b, err := os.ReadFile(filepath.Join(ex, mesos.Dir(LayoutStacki5), name))
		if err != nil || !bytes.Equal(b, data) {
			t.Errorf("osirrox extracted %s wrong: %v", name, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(ex, mesos.Dir(LayoutStacki5), "roll-mesos.xml"))
	if err != nil || !bytes.Equal(b, NewRoll(mesos).Marshal()) {
		t.Errorf("roll-mesos.xml extracted wrong: %v\n%s", err, b)
	}
}

func TestInspectRejects(t *testing.T) {
	root, _ := stagePallet(t)
	// a second, broken roll anywhere rejects the whole image, as stack add pallet does
	if err := os.WriteFile(filepath.Join(root, "roll-broken.xml"), []byte(`<roll name="broken"/>`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "p.iso")
	if err := Write(context.Background(), root, out, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := InspectPallet(out); !errors.Is(err, ErrInvalidRoll) || !strings.Contains(err.Error(), "roll-broken.xml") {
		t.Errorf("InspectPallet = %v, want ErrInvalidRoll naming roll-broken.xml", err)
	}
	empty := t.TempDir()
	if err := Write(context.Background(), empty, out, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := InspectPallet(out); !errors.Is(err, ErrNotPallet) {
		t.Errorf("InspectPallet(empty) = %v, want ErrNotPallet", err)
	}
}
