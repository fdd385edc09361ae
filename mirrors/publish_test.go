package mirrors_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
)

// snapshot maps every file under dir to its modification time and size.
func snapshot(t *testing.T, dir string) map[string]string {
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			b, _ := os.ReadFile(p)
			out[p] = fmt.Sprintf("%d %d %x", fi.ModTime().UnixNano(), fi.Size(), b[:min(len(b), 64)])
		}
		return nil
	})
	return out
}

func TestRepublishUnchangedRewritesNothing(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	if err := mirrortest.Mesosphere().Write(src); err != nil {
		t.Fatal(err)
	}
	pkgs, err := mirrors.ScanDir(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	opts := mirrors.PublishOptions{PackageDir: "RPMS", Time: 1700000000}
	if err := mirrors.Publish(ctx, out, pkgs, nil, opts); err != nil {
		t.Fatal(err)
	}
	first := snapshot(t, out)
	time.Sleep(10 * time.Millisecond) // so a rewrite would show in the mtimes
	if err := mirrors.Publish(ctx, out, pkgs, nil, opts); err != nil {
		t.Fatal(err)
	}
	second := snapshot(t, out)
	if fmt.Sprint(first) != fmt.Sprint(second) {
		t.Errorf("re-publish changed files:\n%v\n%v", first, second)
	}
	// Same inputs elsewhere give the same repomd.xml bytes.
	out2 := t.TempDir()
	if err := mirrors.Publish(ctx, out2, pkgs, nil, opts); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(filepath.Join(out, "repodata", "repomd.xml"))
	b, _ := os.ReadFile(filepath.Join(out2, "repodata", "repomd.xml"))
	if string(a) != string(b) {
		t.Error("repomd.xml differs between two publishes of the same packages")
	}
	testutil.Golden(t, "testdata/mesosphere-repomd.xml", a)

	// Dropping a package removes its file and its metadata.
	if err := mirrors.Publish(ctx, out, pkgs[1:], nil, opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "RPMS", pkgs[0].FileName())); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still published after it was dropped", pkgs[0].FileName())
	}
	ents, _ := os.ReadDir(filepath.Join(out, "repodata"))
	if len(ents) != 4 {
		t.Errorf("repodata holds %d files, want 4 (stale metadata must go)", len(ents))
	}
}

// createrepo_c and palletizer must describe the same RPMs the same way.
func TestMetadataMatchesCreaterepoC(t *testing.T) {
	bin := testutil.RequireTool(t, "createrepo_c")
	ctx := context.Background()
	dir := t.TempDir()
	repo := mirrortest.Mesosphere()
	repo.Packages = append(repo.Packages, mirrortest.DockerCE().Packages...)
	if err := repo.Write(dir); err != nil {
		t.Fatal(err)
	}
	ours, err := mirrors.Open(ctx, mirrors.Repo{Name: "ours", BaseURL: dir}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	theirsDir := t.TempDir()
	os.Symlink(filepath.Join(dir, "Packages"), filepath.Join(theirsDir, "Packages"))
	if out, err := exec.Command(bin, "--quiet", theirsDir).CombinedOutput(); err != nil {
		t.Fatalf("createrepo_c: %v\n%s", err, out)
	}
	theirs, err := mirrors.Open(ctx, mirrors.Repo{Name: "theirs", BaseURL: theirsDir}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(ours.Packages) != len(theirs.Packages) {
		t.Fatalf("%d packages vs createrepo_c's %d", len(ours.Packages), len(theirs.Packages))
	}
	byID := map[string]mirrors.Package{}
	for _, p := range theirs.Packages {
		byID[p.Checksum.Value] = p
	}
	for _, o := range ours.Packages {
		c, ok := byID[o.Checksum.Value]
		if !ok {
			t.Errorf("%s: checksum %s unknown to createrepo_c", o.NEVRA(), o.Checksum.Value)
			continue
		}
		check := func(field string, a, b any) {
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Errorf("%s %s: ours %v, createrepo_c %v", o.NEVRA(), field, a, b)
			}
		}
		check("NEVRA", o.NEVRA(), c.NEVRA())
		check("location", o.Location, c.Location)
		check("size", []int64{o.Size, o.InstalledSize, o.ArchiveSize}, []int64{c.Size, c.InstalledSize, c.ArchiveSize})
		check("header range", []int64{o.HeaderStart, o.HeaderEnd}, []int64{c.HeaderStart, c.HeaderEnd})
		check("requires", o.Requires, c.Requires)
		check("provides", o.Provides, c.Provides)
		check("files", o.Files, c.Files)
		check("text", []string{o.Summary, o.Description, o.License, o.Vendor, o.Group, o.BuildHost, o.Packager},
			[]string{c.Summary, c.Description, c.License, c.Vendor, c.Group, c.BuildHost, c.Packager})
		check("build time", o.BuildTime, c.BuildTime)
	}
}

func TestMetadataCompressions(t *testing.T) {
	for _, comp := range []string{"gz", "xz", "bz2", "zst", "none"} {
		t.Run(comp, func(t *testing.T) {
			repo := mirrortest.CDH()
			repo.Compression = comp
			_, srv := upstream(t, repo)
			ix, err := mirrors.Open(context.Background(), mirrors.Repo{Name: "cdh", BaseURL: srv.Root()}, fastOpts())
			if err != nil {
				t.Fatal(err)
			}
			if len(ix.Packages) != 3 || len(ix.Packages[0].Files) == 0 {
				t.Fatalf("read %d packages (files %v)", len(ix.Packages), ix.Packages)
			}
		})
	}
}

func TestMirrorListAndLocalPaths(t *testing.T) {
	dir, srv := upstream(t, mirrortest.CDH())
	// The first mirror is dead; the second serves the repository.
	list := mirrortest.Serve(t.TempDir())
	defer list.Close()
	list.SetFault(func(w http.ResponseWriter, r *http.Request) bool {
		fmt.Fprintf(w, "# mirrors\nhttp://127.0.0.1:1/dead/\n%s\n", srv.Root())
		return true
	})
	ix, err := mirrors.Open(context.Background(), mirrors.Repo{Name: "cdh", MirrorList: list.URL + "/mirrorlist"}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if ix.BaseURL != srv.Root() {
		t.Errorf("base = %s, want %s", ix.BaseURL, srv.Root())
	}
	for _, base := range []string{dir, "file://" + dir} {
		ix, err := mirrors.Open(context.Background(), mirrors.Repo{Name: "cdh", BaseURL: base}, fastOpts())
		if err != nil {
			t.Fatal(err)
		}
		store, _ := mirrors.NewStore(t.TempDir(), fastOpts())
		if err := store.Fetch(context.Background(), ix.Packages); err != nil {
			t.Fatalf("fetch from %s: %v", base, err)
		}
	}
}

func TestLockAndDrift(t *testing.T) {
	ctx := context.Background()
	dir, srv := upstream(t, mirrortest.DockerCE())
	ix, err := mirrors.Open(ctx, mirrors.Repo{Name: "docker", BaseURL: srv.Root(),
		Filter: mirrors.Filter{Include: []string{"docker-ce"}, Newest: true, WithDependencies: true}}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	sel, err := mirrors.Select([]*mirrors.Index{ix})
	if err != nil {
		t.Fatal(err)
	}
	lock, err := mirrors.Lock(sel.Packages)
	if err != nil {
		t.Fatal(err)
	}
	again, err := mirrors.SelectLocked([]*mirrors.Index{ix}, lock)
	if err != nil || !slices.Equal(names(again.Packages), names(sel.Packages)) {
		t.Fatalf("locked selection %v (%v), want %v", names(again.Packages), err, names(sel.Packages))
	}
	// Upstream rebuilds docker-ce-cli with other bytes and drops containerd.io.
	up := mirrortest.DockerCE()
	up.Packages[1].Summary = "rebuilt"
	up.Packages = up.Packages[1:]
	os.RemoveAll(dir)
	if err := up.Write(dir); err != nil {
		t.Fatal(err)
	}
	ix2, err := mirrors.Open(ctx, mirrors.Repo{Name: "docker", BaseURL: srv.Root()}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	_, err = mirrors.SelectLocked([]*mirrors.Index{ix2}, lock)
	var drift *mirrors.DriftError
	if !errors.As(err, &drift) || len(drift.Missing) != 1 || len(drift.Changed) != 1 {
		t.Fatalf("err = %v, want one missing and one changed", err)
	}
	if drift.Missing[0].Name != "containerd.io" {
		t.Errorf("missing %+v, want containerd.io", drift.Missing[0])
	}
}
