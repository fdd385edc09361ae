package images

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/palletizer/palletizer/images/imagestest"
	"github.com/palletizer/palletizer/internal/testutil"
)

// Ten images of 60 MiB each (a 10 MiB base layer shared by all, 50 MiB of their own): 500 MiB
// of own layers + the base = 510 MiB of random, incompressible data.
const (
	benchImages    = 10
	benchBaseSize  = 10 << 20
	benchLayerSize = 50 << 20
)

// benchBundle builds the benchmark bundle: images generated into an OCI layout, then pulled
// into a bundle as the builder would.
func benchBundle(b *testing.B) (string, []Image) {
	b.Helper()
	src, err := layout.Write(filepath.Join(b.TempDir(), "src"), empty.Index)
	if err != nil {
		b.Fatal(err)
	}
	base, err := imagestest.Layer(1, benchBaseSize)
	if err != nil {
		b.Fatal(err)
	}
	var imgs []Image
	for i := 0; i < benchImages; i++ {
		n := fmt.Sprintf("component-%02d", i)
		img, err := imagestest.Image(imagestest.ImageSpec{Seed: uint64(100 + i), LayerSizes: []int64{benchLayerSize}, Base: []v1.Layer{base}})
		if err != nil {
			b.Fatal(err)
		}
		if err := src.AppendImage(img, layout.WithAnnotations(map[string]string{AnnotationRefName: n})); err != nil {
			b.Fatal(err)
		}
		imgs = append(imgs, Image{Name: n, Source: "oci:" + string(src) + ":" + n, Target: "site.test:5000/indigo/" + n + ":1.0"})
	}
	dir := filepath.Join(b.TempDir(), "bundle")
	if _, err := Pull(context.Background(), dir, imgs); err != nil {
		b.Fatal(err)
	}
	return dir, imgs
}

// BenchmarkPushBundle compares Push of a 510 MiB bundle of ten images to a real
// docker-registry on loopback with `skopeo copy oci:... docker://...` of the same images one
// after the other (how a script would do it), each into a fresh registry, and times a second
// Push when every image is already there. Run it with -benchtime=1x; timings are reported,
// never asserted.
func BenchmarkPushBundle(b *testing.B) {
	skopeo := testutil.RequireTool(b, "skopeo")
	testutil.RequireTool(b, "docker-registry")
	dir, imgs := benchBundle(b)
	bundle, err := OpenBundle(dir)
	if err != nil {
		b.Fatal(err)
	}
	var total int64
	seen := map[v1.Hash]bool{}
	for _, e := range bundle.Entries {
		for _, bl := range e.blobs {
			if !seen[bl.digest] {
				seen[bl.digest] = true
				total += bl.size
			}
		}
	}
	ctx := context.Background()
	var ours, again, theirs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		reg := startBenchRegistry(b)
		b.StartTimer()
		start := time.Now()
		if _, err := Push(ctx, dir, nil, WithRegistry(reg.Host)); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		start = time.Now()
		res, err := Push(ctx, dir, nil, WithRegistry(reg.Host))
		if err != nil {
			b.Fatal(err)
		}
		again += time.Since(start)
		b.StopTimer()
		for _, p := range res {
			if p.Action != "unchanged" {
				b.Fatalf("%s: second push did %s", p.Name, p.Action)
			}
		}
		stopBenchRegistry(b, reg)

		reg = startBenchRegistry(b)
		b.StartTimer()
		start = time.Now()
		for _, im := range imgs {
			cmd := exec.Command(skopeo, "copy", "--quiet", "--dest-tls-verify=false",
				"oci:"+dir+":"+im.Name, "docker://"+reg.Host+"/indigo/"+im.Name+":1.0")
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("skopeo copy %s: %v: %s", im.Name, err, out)
			}
		}
		theirs += time.Since(start)
		b.StopTimer()
		stopBenchRegistry(b, reg)
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(ours.Seconds()/n, "push-s")
	b.ReportMetric(theirs.Seconds()/n, "skopeo-s")
	b.ReportMetric(theirs.Seconds()/ours.Seconds(), "skopeo/push")
	b.ReportMetric(float64(again.Milliseconds())/n, "second-push-ms")
	b.ReportMetric(float64(total)/(1<<20)/(ours.Seconds()/n), "push-MiB/s")
	b.ReportMetric(float64(total)/(1<<20), "bundle-MiB")
}

func startBenchRegistry(b *testing.B) *imagestest.DockerRegistry {
	b.Helper()
	dir, err := os.MkdirTemp(b.TempDir(), "registry")
	if err != nil {
		b.Fatal(err)
	}
	reg, err := imagestest.StartDockerRegistry(context.Background(), dir)
	if err != nil {
		b.Fatal(err)
	}
	return reg
}

// stopBenchRegistry stops a registry and frees its half gigabyte at once.
func stopBenchRegistry(b *testing.B, reg *imagestest.DockerRegistry) {
	b.Helper()
	if err := reg.Stop(); err != nil {
		b.Log(err)
	}
	if err := os.RemoveAll(reg.Dir); err != nil {
		b.Log(err)
	}
}
