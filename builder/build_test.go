package builder

import (
	"context"
	"encoding/json"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/images/imagestest"
	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/iso"
	"github.com/palletizer/palletizer/iso/isotest"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
	"github.com/palletizer/palletizer/recipes"
)

// upstream serves the sample repositories the stock recipes name, signed with a test key.
func upstream(t *testing.T) (url, keyPath string) {
	t.Helper()
	dir := t.TempDir()
	key, err := mirrortest.NewKey("builder test upstream")
	if err != nil {
		t.Fatal(err)
	}
	for path, repo := range map[string]mirrortest.Repository{
		"mesosphere/el/6/x86_64":           mirrortest.Mesosphere(),
		"mesosphere/el/7/x86_64":           mirrortest.Mesosphere(),
		"cdh/4/x86_64":                     mirrortest.CDH(),
		"docker-ce/centos/7/x86_64/stable": mirrortest.DockerCE(),
	} {
		repo.Key, repo.Time = key, 1700000000
		if err := repo.Write(filepath.Join(dir, path)); err != nil {
			t.Fatal(err)
		}
	}
	srv := mirrortest.Serve(dir)
	t.Cleanup(srv.Close)
	keyPath = filepath.Join(t.TempDir(), "key.asc")
	if err := os.WriteFile(keyPath, key.PublicKey(), 0o644); err != nil {
		t.Fatal(err)
	}
	return srv.URL, keyPath
}

func loadWith(t *testing.T, name string, vars map[string]string) *recipes.Recipe {
	t.Helper()
	r, diags := Load(filepath.Join("..", "recipes", "examples", name+".hcl"), recipes.Options{Vars: vars, Environ: []string{}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	return r
}

func TestBuildStackiReproducibleAndAccepted(t *testing.T) {
	url, key := upstream(t)
	t.Setenv("SOURCE_DATE_EPOCH", "1700000000")
	base := filepath.Join(t.TempDir(), "base.iso")
	if err := isotest.WriteBaseInstaller(base); err != nil {
		t.Fatal(err)
	}
	r := loadWith(t, "stacki-mesos", map[string]string{"upstream": url, "repo_key": key, "base_iso": base})
	store := t.TempDir()
	var sums []string
	for i := 0; i < 2; i++ {
		out := filepath.Join(t.TempDir(), "out")
		res, err := Build(context.Background(), r, BuildOptions{Out: out, Store: store})
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		sums = append(sums, string(b))
		if i == 0 {
			checkPallets(t, out, res.Manifest)
			checkInstaller(t, filepath.Join(out, "installers", "mesos-stacki-backend-1.0.x86_64.iso"))
			// What carries the root password hash is readable by its owner only.
			for _, rel := range []string{"kickstart/backend-0-0.ks", "installers/mesos-stacki-backend-1.0.x86_64.iso"} {
				if st, err := os.Stat(filepath.Join(out, rel)); err != nil || st.Mode().Perm() != 0o600 {
					t.Errorf("%s: mode %v (%v), want 0600", rel, st.Mode().Perm(), err)
				}
			}
			// A re-run into the same tree rewrites nothing.
			again, err := Build(context.Background(), r, BuildOptions{Out: out, Store: store})
			if err != nil {
				t.Fatal(err)
			}
			if again.Rewritten != 0 {
				t.Errorf("a re-run with nothing changed rewrote %d files", again.Rewritten)
			}
		}
	}
	if sums[0] != sums[1] {
		t.Errorf("two builds from the same inputs differ:\n%s\n---\n%s", sums[0], sums[1])
	}
}

// checkPallets inspects every pallet as `stack add pallet` would, and has real dnf read the
// repodata of one extracted with osirrox.
func checkPallets(t *testing.T, out string, m *Manifest) {
	t.Helper()
	var pallets []string
	for _, a := range m.Artifacts {
		if a.Kind == "pallet" {
			pallets = append(pallets, filepath.Join(out, a.Path))
		}
	}
	if len(pallets) != 2 {
		t.Fatalf("want the cluster pallet and one per role, got %v", pallets)
	}
	for _, p := range pallets {
		rep, err := iso.InspectPallet(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if len(rep.Pallets) != 1 || rep.Label != iso.PalletLabel {
			t.Fatalf("%s: %+v", p, rep)
		}
		if err := VerifyPallet(p, rep.Pallets[0]); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	osirrox := testutil.RequireTool(t, "osirrox")
	dnf := testutil.RequireTool(t, "dnf")
	dst := filepath.Join(t.TempDir(), "x")
	if b, err := exec.Command(osirrox, "-indev", pallets[1], "-extract", "/", dst).CombinedOutput(); err != nil {
		t.Fatalf("osirrox: %v\n%s", err, b)
	}
	rep, _ := iso.InspectPallet(pallets[1])
	root := filepath.Join(dst, filepath.FromSlash(rep.Pallets[0].Root))
	cache := t.TempDir()
	cmd := exec.Command(dnf, "-q", "--setopt=reposdir=/dev/null", "--setopt=cachedir="+cache, "--installroot", t.TempDir(),
		"--releasever=6", "--repofrompath=pallet,file://"+root, "--repo=pallet", "repoquery", "--qf", "%{name}")
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("dnf repoquery on the extracted pallet: %v\n%s", err, b)
	}
	for _, want := range []string{"mesos", "marathon", "zookeeper-server"} {
		if !strings.Contains("\n"+string(b), "\n"+want+"\n") {
			t.Errorf("dnf does not list %s in the role pallet:\n%s", want, b)
		}
	}
}

func TestBuildAndPushIndigoContainers(t *testing.T) {
	url, key := upstream(t)
	src := httptest.NewServer(imagestest.RegistryHandler())
	t.Cleanup(src.Close)
	srcHost := strings.TrimPrefix(src.URL, "http://")
	ctx := context.Background()
	if _, err := imagestest.PushIndigo(ctx, srcHost, 1, 64<<10, 16<<10); err != nil {
		t.Fatal(err)
	}
	r := loadWith(t, "indigo-containers", map[string]string{"upstream": url, "repo_key": key, "source_registry": srcHost})
	lock, err := Resolve(ctx, r, BuildOptions{Store: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	res, err := Build(ctx, r, BuildOptions{Out: out, Store: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lock.Images {
		if res.Manifest.Images[l.Name] != l.Digest {
			t.Errorf("image %s: bundle has %s, lock resolved %s", l.Name, res.Manifest.Images[l.Name], l.Digest)
		}
	}
	// The master's kickstart runs its components from the site registry by digest.
	ks, err := os.ReadFile(filepath.Join(out, "kickstart", "master-1.ks"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"MYID=1", "MESOS_QUORUM=2", "/indigo/zookeeper@" + res.Manifest.Images["zookeeper"], "MARATHON_MASTER=zk://10.2.1.11:2181,10.2.1.12:2181,10.2.1.13:2181/mesos"} {
		if !strings.Contains(string(ks), want) {
			t.Errorf("master-1 kickstart lacks %q", want)
		}
	}

	// Push into a real docker-registry and read the digests back with skopeo.
	testutil.RequireTool(t, "docker-registry")
	skopeo := testutil.RequireTool(t, "skopeo")
	reg := imagestest.StartDockerRegistryT(t)
	pushed, err := Push(ctx, r, PushOptions{Bundle: filepath.Join(out, "images"), Registry: reg.Host})
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed) != len(r.Images) {
		t.Fatalf("pushed %d images, want %d", len(pushed), len(r.Images))
	}
	for _, p := range pushed {
		b, err := exec.Command(skopeo, "inspect", "--tls-verify=false", "--raw", "docker://"+p.Target).Output()
		if err != nil {
			t.Fatalf("skopeo inspect %s: %v", p.Target, err)
		}
		var raw map[string]any
		if err := json.Unmarshal(b, &raw); err != nil {
			t.Fatal(err)
		}
		if got := digestOf(b); got != res.Manifest.Images[p.Name] {
			t.Errorf("%s: registry serves %s, bundle has %s", p.Target, got, res.Manifest.Images[p.Name])
		}
	}
}

// checkInstaller reads the installer back: BIOS and UEFI boot entries kept, the role's first
// host's kickstart at /ks.cfg, every host's under /ks/, the repositories under /repos/.
func checkInstaller(t *testing.T, path string) {
	t.Helper()
	img, err := iso.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer img.Close()
	cat, err := img.BootCatalog()
	if err != nil {
		t.Fatal(err)
	}
	platforms := map[iso.Platform]bool{}
	for _, e := range cat {
		platforms[e.Platform] = true
	}
	if !platforms[iso.PlatformBIOS] || !platforms[iso.PlatformEFI] {
		t.Errorf("installer boot catalog lost an entry: %+v", cat)
	}
	rc, err := img.Open("/ks.cfg")
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(ks), "backend-0-0") || !strings.Contains(string(ks), "--baseurl=file:///mnt/source/repos/mesosphere/") {
		t.Errorf("/ks.cfg is not backend-0-0's kickstart installing from the disc:\n%s", ks)
	}
	for _, want := range []string{"/ks/backend-0-4.ks", "/repos/mesosphere/repodata/repomd.xml", "/isolinux/isolinux.cfg"} {
		if _, ok := img.Stat(want); !ok {
			t.Errorf("installer lacks %s", want)
		}
	}
	rc, err = img.Open("/isolinux/isolinux.cfg")
	if err != nil {
		t.Fatal(err)
	}
	menu, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(menu), "inst.ks=hd:LABEL=MESOS-STACKI-BACKEND:/ks.cfg") {
		t.Errorf("isolinux.cfg does not point at the kickstart:\n%s", menu)
	}
}

// A lock written and read back pins the same packages, a locked mirror selects exactly those
// files, and a pin upstream no longer serves fails, named.
func TestLockRoundTripAndDrift(t *testing.T) {
	url, key := upstream(t)
	r := loadWith(t, "aws-ha", map[string]string{"upstream": url, "repo_key": key})
	ctx := context.Background()
	store := t.TempDir()
	l, err := Resolve(ctx, r, BuildOptions{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), LockFileName)
	if err := WriteLock(path, l); err != nil {
		t.Fatal(err)
	}
	back, diags := ReadLock(path)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if len(back.Packages) != len(l.Packages) || len(l.Packages) == 0 {
		t.Fatalf("lock round trip: %d packages, want %d", len(back.Packages), len(l.Packages))
	}
	for i := range l.Packages {
		if back.Packages[i] != l.Packages[i] {
			t.Errorf("pin %d: %+v, want %+v", i, back.Packages[i], l.Packages[i])
		}
	}
	m, err := Mirror(ctx, r, back, BuildOptions{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, p := range m.Selection.Packages {
		got[p.Checksum.Value] = true
	}
	for _, pin := range l.Packages {
		if !got[pin.SHA256] {
			t.Errorf("locked mirror did not select %s (sha256 %s)", pin.NEVRA(), pin.SHA256)
		}
	}
	if len(got) != len(l.Packages) {
		t.Errorf("locked mirror selected %d files, the lock pins %d", len(got), len(l.Packages))
	}
	back.Packages[0].SHA256 = strings.Repeat("0", 64)
	if _, err := Mirror(ctx, r, back, BuildOptions{Store: store}); err == nil || !strings.Contains(err.Error(), back.Packages[0].Name) {
		t.Errorf("a pin upstream does not serve should fail naming %s, got %v", back.Packages[0].Name, err)
	}
}
