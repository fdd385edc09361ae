package iso

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/palletizer/palletizer/internal/testutil"
)

// BenchmarkWritePallet writes a pallet-sized tree (300 RPM-like files) with palletizer and
// with `xorriso -as mkisofs -R -J`, and reports the wall-time ratio and both peak RSS values.
// PALLETIZER_BENCH_MB sets the tree size (default 64; `make bench` passes 1024).
func BenchmarkWritePallet(b *testing.B) {
	xorriso := testutil.RequireTool(b, "xorriso")
	mb := 64
	if v := os.Getenv("PALLETIZER_BENCH_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			b.Fatalf("PALLETIZER_BENCH_MB=%q: %v", v, err)
		}
		mb = n
	}
	src := benchTree(b, mb<<20, 300)
	dir := b.TempDir()
	var ours, theirs time.Duration
	var theirRSS int64
	resetPeakRSS()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := Write(context.Background(), src, filepath.Join(dir, "ours.iso"), WriteOptions{Joliet: true, ModTime: testEpoch}); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		b.StopTimer()
		start = time.Now()
		cmd := exec.Command(xorriso, "-as", "mkisofs", "-quiet", "-R", "-J", "-o", filepath.Join(dir, "xorriso.iso"), src)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("xorriso: %v\n%s", err, out)
		}
		theirs += time.Since(start)
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 > theirRSS {
			theirRSS = ru.Maxrss * 1024
		}
		b.StartTimer()
	}
	b.SetBytes(int64(mb) << 20)
	b.ReportMetric(float64(ours)/float64(theirs), "x-xorriso-time")
	b.ReportMetric(float64(peakRSS())/(1<<20), "peak-MiB")
	// Go starts children with vfork, and Linux carries the parent's RSS high-water mark into
	// the exec'd child, so this is max(xorriso, this process at fork): an upper bound.
	b.ReportMetric(float64(theirRSS)/(1<<20), "xorriso-peak-MiB")
}

// benchTree writes n files of pseudo-random sizes adding up to about total bytes.
func benchTree(b *testing.B, total, n int) string {
	b.Helper()
	src := b.TempDir()
	dir := filepath.Join(src, Pallet{Name: "bench", Version: "1.0", Release: "redhat7", OS: "redhat", Arch: "x86_64"}.Dir(LayoutStacki5), "RPMS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(r.Uint32())
	}
	for i := 0; i < n; i++ {
		size := r.IntN(2*total/n + 1)
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("package-%03d-1.0-1.el7.x86_64.rpm", i)))
		if err != nil {
			b.Fatal(err)
		}
		for size > 0 {
			w := min(size, len(buf))
			if _, err := f.Write(buf[:w]); err != nil {
				b.Fatal(err)
			}
			size -= w
		}
		f.Close()
	}
	return src
}

// resetPeakRSS clears the kernel's high-water mark of this process (Linux clear_refs 5).
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS reads VmHWM from /proc/self/status, in bytes.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			kb, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
