package mirrors_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
)

// The benchmarks compare with the real tools on one generated repository of 1,000 packages
// served on loopback. Targets (reported, never asserted): at least as fast as dnf reposync,
// within 1.5x of createrepo_c, a no-change re-run under 2 s.

const benchPackages, benchPayload = 1000, 8 << 10

var (
	benchOnce sync.Once
	benchDir  string
	benchErr  error
)

func benchUpstream(b *testing.B) (string, *mirrortest.Server) {
	benchOnce.Do(func() {
		benchDir, benchErr = os.MkdirTemp("", "palletizer-bench-*")
		if benchErr == nil {
			benchErr = mirrortest.Generated(benchPackages, benchPayload).Write(benchDir)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	s := mirrortest.Serve(benchDir)
	b.Cleanup(s.Close)
	return benchDir, s
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

// mirrorOnce is what `palletizer mirror` does for one repository.
func mirrorOnce(b *testing.B, url, store, out string) {
	ctx := context.Background()
	opts := mirrors.Options{Concurrency: 8}
	ix, err := mirrors.Open(ctx, mirrors.Repo{Name: "bench", BaseURL: url}, opts)
	if err != nil {
		b.Fatal(err)
	}
	sel, err := mirrors.Select([]*mirrors.Index{ix})
	if err != nil {
		b.Fatal(err)
	}
	st, err := mirrors.NewStore(store, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.Fetch(ctx, sel.Packages); err != nil {
		b.Fatal(err)
	}
	if err := mirrors.Publish(ctx, out, sel.Packages, st, mirrors.PublishOptions{}); err != nil {
		b.Fatal(err)
	}
}

func selfMaxRSS() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Maxrss) / 1024 // KiB -> MiB
}

func BenchmarkMirrorVsReposync(b *testing.B) {
	_, srv := benchUpstream(b)
	dnf := testutil.RequireTool(b, "dnf")
	haveReposync := exec.Command(dnf, "reposync", "--help").Run() == nil
	var ours, theirs time.Duration
	var theirRSS float64
	for i := 0; i < b.N; i++ {
		tmp := b.TempDir()
		start := time.Now()
		mirrorOnce(b, srv.Root(), filepath.Join(tmp, "store"), filepath.Join(tmp, "out"))
		ours += time.Since(start)
		if !haveReposync {
			continue
		}
		b.StopTimer()
		cmd := exec.Command(dnf, "-q", "reposync", "--repofrompath=bench,"+srv.Root(),
			"--repoid=bench", "--setopt=reposdir=/dev/null", "--nogpgcheck",
			"--setopt=cachedir="+filepath.Join(tmp, "dnfcache"), "--releasever=7",
			"--download-metadata", "-p", filepath.Join(tmp, "reposync"))
		start = time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("dnf reposync: %v\n%s", err, out)
		}
		theirs += time.Since(start)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			theirRSS = max(theirRSS, float64(ru.Maxrss)/1024)
		}
		b.StartTimer()
	}
	b.ReportMetric(ours.Seconds()/float64(b.N), "palletizer-s/op")
	b.ReportMetric(selfMaxRSS(), "palletizer-peak-MiB")
	if !haveReposync {
		b.Log("dnf reposync is missing (Debian package dnf-plugins-core); only palletizer was measured")
		return
	}
	b.ReportMetric(theirs.Seconds()/float64(b.N), "reposync-s/op")
	b.ReportMetric(theirRSS, "reposync-peak-MiB")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "time-ratio")
}

func BenchmarkPublishVsCreaterepoC(b *testing.B) {
	dir, _ := benchUpstream(b)
	bin := testutil.RequireTool(b, "createrepo_c")
	ctx := context.Background()
	var ours, theirs time.Duration
	for i := 0; i < b.N; i++ {
		// Both index the same directory from scratch: no cache, no previous metadata.
		os.RemoveAll(filepath.Join(dir, "repodata"))
		start := time.Now()
		pkgs, err := mirrors.ScanDir(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := mirrors.Publish(ctx, dir, pkgs, nil, mirrors.PublishOptions{}); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		os.RemoveAll(filepath.Join(dir, "repodata"))
		start = time.Now()
		if out, err := exec.Command(bin, "--quiet", dir).CombinedOutput(); err != nil {
			b.Fatalf("createrepo_c: %v\n%s", err, out)
		}
		theirs += time.Since(start)
		b.StartTimer()
	}
	// Leave palletizer's metadata for the other benchmarks.
	os.RemoveAll(filepath.Join(dir, "repodata"))
	pkgs, _ := mirrors.ScanDir(ctx, dir)
	if err := mirrors.Publish(ctx, dir, pkgs, nil, mirrors.PublishOptions{}); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(ours.Seconds()/float64(b.N), "palletizer-s/op")
	b.ReportMetric(theirs.Seconds()/float64(b.N), "createrepo_c-s/op")
	b.ReportMetric(ours.Seconds()/theirs.Seconds(), "time-ratio")
}

func BenchmarkMirrorNoChange(b *testing.B) {
	_, srv := benchUpstream(b)
	tmp := b.TempDir()
	store, out := filepath.Join(tmp, "store"), filepath.Join(tmp, "out")
	mirrorOnce(b, srv.Root(), store, out)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		mirrorOnce(b, srv.Root(), store, out)
	}
	b.ReportMetric(time.Since(start).Seconds()/float64(b.N), "rerun-s")
	b.ReportMetric(selfMaxRSS(), "palletizer-peak-MiB")
}
