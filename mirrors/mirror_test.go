package mirrors_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
)

// upstream writes a fixture repository and serves it on loopback.
func upstream(t testing.TB, r mirrortest.Repository) (string, *mirrortest.Server) {
	t.Helper()
	dir := t.TempDir()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	s := mirrortest.Serve(dir)
	t.Cleanup(s.Close)
	return dir, s
}

func fastOpts() mirrors.Options {
	return mirrors.Options{Backoff: 1, Retries: 4}
}

func names(pkgs []mirrors.Package) []string {
	var out []string
	for _, p := range pkgs {
		out = append(out, p.NEVRA())
	}
	return out
}

// dnf runs the real dnf against the repository at dir only, with its state in temp dirs.
func dnf(t *testing.T, dir string, args ...string) string {
	t.Helper()
	bin := testutil.RequireTool(t, "dnf")
	root := t.TempDir()
	base := []string{"-q", "-y", "--disablerepo=*", "--repofrompath=palletizer,file://" + dir,
		"--enablerepo=palletizer", "--setopt=reposdir=/dev/null", "--setopt=palletizer.gpgcheck=0",
		"--installroot=" + root, "--setopt=cachedir=" + filepath.Join(root, "cache"),
		"--releasever=7", "--forcearch=x86_64", "--nogpgcheck"}
	out, err := exec.Command(bin, append(base, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("dnf %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestMirrorMesosphereEndToEnd(t *testing.T) {
	ctx := context.Background()
	_, srv := upstream(t, mirrortest.Mesosphere())
	repo := mirrors.Repo{Name: "mesosphere", BaseURL: srv.Root(),
		Filter: mirrors.Filter{Include: []string{"marathon", "chronos"}, Newest: true, WithDependencies: true}}
	ix, err := mirrors.Open(ctx, repo, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Packages) != 8 {
		t.Fatalf("read %d packages, want 8", len(ix.Packages))
	}
	sel, err := mirrors.Select([]*mirrors.Index{ix})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"chronos-2.5.0-0.1.20171211074431.el7.x86_64",
		"marathon-1.5.1-1.0.740.el7.x86_64",
		"mesos-1.4.0-2.0.1.x86_64", // via "mesos >= 1.4.0" and a filelists-only file
		"mesosphere-el-repo-7-3.noarch",
		"mesosphere-zookeeper-3.4.6-0.1.20141204175332.centos7.x86_64", // via a file provide
	}
	if got := names(sel.Packages); !slices.Equal(got, want) {
		t.Fatalf("selected\n%v\nwant\n%v", got, want)
	}

	store, err := mirrors.NewStore(t.TempDir(), fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	var events []mirrors.Event
	opts := fastOpts()
	opts.Progress = func(e mirrors.Event) { events = append(events, e) }
	store, _ = mirrors.NewStore(store.Root(), opts)
	if err := store.Fetch(ctx, sel.Packages); err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if last.AllBytes != last.AllTotal || last.AllTotal == 0 {
		t.Errorf("last event %+v: totals do not add up", last)
	}

	out := t.TempDir()
	if err := mirrors.Publish(ctx, out, sel.Packages, store, mirrors.PublishOptions{}); err != nil {
		t.Fatal(err)
	}
	got := strings.Fields(dnf(t, out, "repoquery", "--qf", "%{name}-%{evr}.%{arch}"))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("dnf repoquery lists\n%v\nwant\n%v", got, want)
	}
	// dnf resolves an install of marathon from our repository alone (the recursive closure).
	closure := dnf(t, out, "repoquery", "--requires", "--resolve", "--recursive", "--qf", "%{name}", "marathon")
	for _, n := range []string{"mesos", "mesosphere-el-repo", "mesosphere-zookeeper"} {
		if !strings.Contains(closure, n) {
			t.Errorf("dnf's closure of marathon %q lacks %s", closure, n)
		}
	}
	deps := dnf(t, out, "repoquery", "--requires", "--resolve", "--qf", "%{name}", "chronos")
	if strings.TrimSpace(deps) != "mesos" {
		t.Errorf("dnf repoquery --requires --resolve chronos = %q, want mesos", deps)
	}
	// The file dependency resolves through our filelists.xml.
	who := dnf(t, out, "repoquery", "--whatprovides", "/usr/lib/libmesos-1.4.0.so", "--qf", "%{name}")
	if strings.TrimSpace(who) != "mesos" {
		t.Errorf("dnf repoquery --whatprovides libmesos = %q, want mesos", who)
	}
}

func TestDnfInstallsFromPublishedRepo(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := mirrortest.DockerCE().Write(dir); err != nil {
		t.Fatal(err)
	}
	ix, err := mirrors.Open(ctx, mirrors.Repo{Name: "docker", BaseURL: dir,
		Filter: mirrors.Filter{Include: []string{"docker-ce"}, Newest: true, WithDependencies: true}}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	sel, err := mirrors.Select([]*mirrors.Index{ix})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"containerd.io-1.4.11-3.1.el7.x86_64", "docker-ce-3:20.10.9-3.el7.x86_64", "docker-ce-cli-1:20.10.9-3.el7.x86_64"}
	if got := names(sel.Packages); !slices.Equal(got, want) {
		t.Fatalf("selected %v, want %v (epoch 3 must beat 2:21.0.0)", got, want)
	}
	store, _ := mirrors.NewStore(t.TempDir(), fastOpts())
	if err := store.Fetch(ctx, sel.Packages); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := mirrors.Publish(ctx, out, sel.Packages, store, mirrors.PublishOptions{PackageDir: "RPMS"}); err != nil {
		t.Fatal(err)
	}
	testutil.RequireTool(t, "rpm")
	root := t.TempDir()
	bin := testutil.RequireTool(t, "dnf")
	cmd := exec.Command(bin, "-q", "-y", "--disablerepo=*", "--repofrompath=p,file://"+out, "--enablerepo=p",
		"--setopt=reposdir=/dev/null", "--nogpgcheck", "--installroot="+root, "--releasever=7",
		"--setopt=cachedir="+filepath.Join(root, "cache"), "--setopt=tsflags=noscripts", "install", "docker-ce")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("dnf install docker-ce: %v\n%s", err, b)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin/dockerd")); err != nil {
		t.Errorf("dnf installed docker-ce but /usr/bin/dockerd is missing: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "usr/bin/runc")); err != nil {
		t.Errorf("containerd.io (a dependency) was not installed: %v", err)
	}
}

func TestUnresolvedDependencyNamesPackage(t *testing.T) {
	ctx := context.Background()
	_, srv := upstream(t, mirrortest.CDH())
	ix, err := mirrors.Open(ctx, mirrors.Repo{Name: "cdh", BaseURL: srv.Root(),
		Filter: mirrors.Filter{Include: []string{"zookeeper-server"}, WithDependencies: true, Exclude: []string{"zookeeper"}}}, fastOpts())
	if err != nil {
		t.Fatal(err)
	}
	sel, err := mirrors.Select([]*mirrors.Index{ix})
	var ue *mirrors.UnresolvedError
	if !errors.As(err, &ue) || len(ue.Missing) != 1 {
		t.Fatalf("err = %v, want one unresolved requirement", err)
	}
	m := ue.Missing[0]
	if m.NeededBy != "zookeeper-server-3.4.5+cdh5.16.2+155-1.cdh5.16.2.p0.4.el7.x86_64" || m.Requirement.Name != "zookeeper" {
		t.Errorf("unresolved = %+v", m)
	}
	if len(sel.Packages) != 1 {
		t.Errorf("selection still lists what resolved: %v", names(sel.Packages))
	}
}
