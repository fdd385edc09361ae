package images

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/palletizer/palletizer/images/imagestest"
)

// upstream serves the INDIGO fixture images from an in-memory registry.
func upstream(t *testing.T) (*imagestest.Server, map[string]imagestest.Pushed) {
	t.Helper()
	reg := imagestest.NewRegistry()
	t.Cleanup(reg.Close)
	pushed, err := imagestest.PushIndigo(context.Background(), reg.Host, 1, 4096, 8192)
	if err != nil {
		t.Fatal(err)
	}
	byRef := map[string]imagestest.Pushed{}
	for _, p := range pushed {
		byRef[strings.TrimPrefix(p.Ref, reg.Host+"/")] = p
	}
	return reg, byRef
}

func indigoImages(host string) []Image {
	return []Image{
		{Name: "zookeeper", Source: host + "/indigodatacloud/zookeeper:latest", Target: "site.test:5000/indigo/zookeeper:latest"},
		{Name: "mesos-master", Source: host + "/indigodatacloud/mesos-master:1.5.0", Target: "site.test:5000/indigo/mesos-master:1.5.0"},
		{Name: "marathon", Source: host + "/indigodatacloud/marathon:1.5.6", Target: "site.test:5000/indigo/marathon:1.5.6", Platforms: []string{"linux/amd64"}},
		{Name: "chronos", Source: host + "/indigodatacloud/chronos:3.0.2", Target: "site.test:5000/indigo/chronos:3.0.2"},
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestPullByTagIsReproducibleAndValid(t *testing.T) {
	reg, fx := upstream(t)
	ctx := context.Background()
	a, b := t.TempDir(), t.TempDir()
	var updates []Update
	pa, err := Pull(ctx, a, indigoImages(reg.Host), WithProgress(func(u Update) { updates = append(updates, u) }))
	if err != nil {
		t.Fatal(err)
	}
	// Reverse order: the bundle must not depend on it.
	imgs := indigoImages(reg.Host)
	for i, j := 0, len(imgs)-1; i < j; i, j = i+1, j-1 {
		imgs[i], imgs[j] = imgs[j], imgs[i]
	}
	if _, err := Pull(ctx, b, imgs, WithConcurrency(1)); err != nil {
		t.Fatal(err)
	}
	ta, tb := readTree(t, a), readTree(t, b)
	if len(ta) != len(tb) {
		t.Fatalf("bundles hold %d and %d files", len(ta), len(tb))
	}
	for k, v := range ta {
		if tb[k] != v {
			t.Errorf("%s differs between two pulls of the same images", k)
		}
	}
	if _, ok := ta[partialDir]; ok {
		t.Error("temp directory left behind")
	}

	byName := map[string]Pulled{}
	for _, p := range pa {
		byName[p.Name] = p
	}
	if got, want := byName["mesos-master"].Digest, fx["indigodatacloud/mesos-master:1.5.0"].Digest; got != want {
		t.Errorf("mesos-master: bundle digest %s, upstream %s (an unfiltered index must keep its digest)", got, want)
	}
	mar := byName["marathon"]
	if mar.SourceDigest != fx["indigodatacloud/marathon:1.5.6"].Digest || mar.Digest == mar.SourceDigest {
		t.Errorf("marathon filtered to one platform: source %s, bundle %s", mar.SourceDigest, mar.Digest)
	}

	// Every image reads back from the layout and validates (digests of every blob).
	lp, err := layout.FromPath(a)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := lp.ImageIndex()
	im, _ := root.IndexManifest()
	var names []string
	for _, d := range im.Manifests {
		names = append(names, d.Annotations[AnnotationName])
		if d.MediaType.IsIndex() {
			idx, err := root.ImageIndex(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Index(idx); err != nil {
				t.Errorf("%s: %v", d.Annotations[AnnotationName], err)
			}
			m, _ := idx.IndexManifest()
			if d.Annotations[AnnotationName] == "marathon" && (len(m.Manifests) != 1 || m.Manifests[0].Platform.Architecture != "amd64") {
				t.Errorf("marathon index not filtered to linux/amd64: %+v", m.Manifests)
			}
		} else {
			img, err := root.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			if err := validate.Image(img); err != nil {
				t.Errorf("%s: %v", d.Annotations[AnnotationName], err)
			}
		}
	}
	if strings.Join(names, ",") != "chronos,marathon,mesos-master,zookeeper" {
		t.Errorf("index.json order %v, want sorted by name", names)
	}
	var done int
	for _, u := range updates {
		if u.Phase == "done" {
			done++
		}
	}
	if done != 4 {
		t.Errorf("%d done events for 4 images", done)
	}
}

func TestPullRerunFetchesNothingAndPrunes(t *testing.T) {
	reg, _ := upstream(t)
	ctx := context.Background()
	dir := t.TempDir()
	imgs := indigoImages(reg.Host)
	if _, err := Pull(ctx, dir, imgs); err != nil {
		t.Fatal(err)
	}
	again, err := Pull(ctx, dir, imgs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range again {
		if p.Fetched != 0 {
			t.Errorf("%s: re-run fetched %d bytes", p.Name, p.Fetched)
		}
	}
	// Drop all but zookeeper: the bundle must equal a fresh pull of zookeeper alone.
	if _, err := Pull(ctx, dir, imgs[:1]); err != nil {
		t.Fatal(err)
	}
	fresh := t.TempDir()
	if _, err := Pull(ctx, fresh, imgs[:1]); err != nil {
		t.Fatal(err)
	}
	ta, tb := readTree(t, dir), readTree(t, fresh)
	if len(ta) != len(tb) {
		t.Fatalf("after dropping images the bundle holds %d files, a fresh pull %d", len(ta), len(tb))
	}
}

func TestPullInterruptedLeavesNoPartialBlob(t *testing.T) {
	reg, _ := upstream(t)
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := Pull(ctx, dir, indigoImages(reg.Host), WithConcurrency(1), WithProgress(func(u Update) {
		if u.Phase == "done" {
			if n++; n == 2 {
				cancel()
			}
		}
	}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("want a cancelled pull, got %v", err)
	}
	// Whatever is in blobs/ must be complete and correct.
	blobs, _ := filepath.Glob(filepath.Join(dir, "blobs", "sha256", "*"))
	if len(blobs) == 0 {
		t.Fatal("cancelled after two images but no blob was kept")
	}
	for _, p := range blobs {
		f, _ := os.Open(p)
		h, _, err := v1.SHA256(f)
		f.Close()
		if err != nil || h.Hex != filepath.Base(p) {
			t.Errorf("blob %s has digest %s", filepath.Base(p), h)
		}
	}
	res, err := Pull(context.Background(), dir, indigoImages(reg.Host))
	if err != nil {
		t.Fatal(err)
	}
	var fetched, total int64
	for _, p := range res {
		fetched += p.Fetched
		total += p.Size
	}
	if fetched == 0 || fetched >= total {
		t.Errorf("resumed pull fetched %d of %d bytes; want only what was missing", fetched, total)
	}
}

func TestPullByDigestAndLocked(t *testing.T) {
	reg, fx := upstream(t)
	ctx := context.Background()
	zk := fx["indigodatacloud/zookeeper:latest"]
	src := reg.Host + "/indigodatacloud/zookeeper:latest"

	got, err := Resolve(ctx, src)
	if err != nil || got != zk.Digest {
		t.Fatalf("Resolve = %s, %v; want %s", got, err, zk.Digest)
	}
	res, err := Pull(ctx, t.TempDir(), []Image{{Name: "zk", Source: reg.Host + "/indigodatacloud/zookeeper@" + zk.Digest}})
	if err != nil || res[0].Digest != zk.Digest {
		t.Fatalf("pull by digest: %v %v", res, err)
	}
	if _, err := Pull(ctx, t.TempDir(), []Image{{Name: "zk", Source: src, Digest: zk.Digest}}); err != nil {
		t.Fatalf("locked pull of an unmoved tag: %v", err)
	}

	// Move the tag upstream: a locked pull must refuse, naming the image.
	moved, err := imagestest.Image(imagestest.ImageSpec{Seed: 99, LayerSizes: []int64{100}})
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.ParseReference(src)
	if err := remote.Write(ref, moved); err != nil {
		t.Fatal(err)
	}
	_, err = Pull(ctx, t.TempDir(), []Image{{Name: "zookeeper", Source: src, Digest: zk.Digest}})
	var drift *DriftError
	if !errors.As(err, &drift) || drift.Image != "zookeeper" || drift.Locked != zk.Digest {
		t.Fatalf("want a DriftError for zookeeper, got %v", err)
	}
	if !strings.Contains(err.Error(), `"zookeeper"`) {
		t.Errorf("error does not name the image: %v", err)
	}
}

func TestPullPlatformErrors(t *testing.T) {
	reg, _ := upstream(t)
	ctx := context.Background()
	_, err := Pull(ctx, t.TempDir(), []Image{{Name: "marathon", Source: reg.Host + "/indigodatacloud/marathon:1.5.6", Platforms: []string{"linux/s390x"}}})
	if err == nil || !strings.Contains(err.Error(), "linux/s390x") || !strings.Contains(err.Error(), "linux/arm64/v8") {
		t.Errorf("missing platform: %v", err)
	}
	_, err = Pull(ctx, t.TempDir(), []Image{{Name: "zookeeper", Source: reg.Host + "/indigodatacloud/zookeeper:latest", Platforms: []string{"linux/arm64"}}})
	if err == nil || !strings.Contains(err.Error(), "linux/amd64 only") {
		t.Errorf("single-platform image asked for arm64: %v", err)
	}
	res, err := Pull(ctx, t.TempDir(), []Image{{Name: "marathon", Source: reg.Host + "/indigodatacloud/marathon:1.5.6", Platforms: []string{"linux/amd64", "linux/arm64"}}})
	if err != nil || res[0].Digest != res[0].SourceDigest {
		t.Errorf("all platforms chosen must keep the index as is: %v %v", res, err)
	}
}

func TestPullFromOCILayoutAndDockerArchive(t *testing.T) {
	ctx := context.Background()
	img, err := imagestest.Image(imagestest.ImageSpec{Seed: 5, LayerSizes: []int64{3000, 5000}})
	if err != nil {
		t.Fatal(err)
	}
	idx, err := imagestest.Index(imagestest.ImageSpec{Seed: 6, LayerSizes: []int64{2000}}, "linux/amd64", "linux/arm64")
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	lp, err := layout.Write(src, emptyIndex())
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img, layout.WithAnnotations(map[string]string{AnnotationRefName: "app"})); err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendIndex(idx, layout.WithAnnotations(map[string]string{AnnotationRefName: "multi"})); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(t.TempDir(), "app.tar")
	tag, _ := name.NewTag("example.test/app:1")
	if err := tarball.WriteToFile(archive, tag, img); err != nil {
		t.Fatal(err)
	}
	imgDigest, _ := img.Digest()
	idxDigest, _ := idx.Digest()

	res, err := Pull(ctx, t.TempDir(), []Image{
		{Name: "app", Source: "oci:" + src + ":app"},
		{Name: "app-by-digest", Source: "oci:" + src + "@" + imgDigest.String()},
		{Name: "multi", Source: "oci:" + src + ":multi", Platforms: []string{"linux/arm64"}},
		{Name: "archived", Source: "docker-archive:" + archive},
		{Name: "archived-tag", Source: "docker-archive:" + archive + ":example.test/app:1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Pulled{}
	for _, p := range res {
		got[p.Name] = p
	}
	if got["app"].Digest != imgDigest.String() || got["app-by-digest"].Digest != imgDigest.String() {
		t.Errorf("oci source digests: %+v", got)
	}
	if got["multi"].SourceDigest != idxDigest.String() || got["multi"].Digest == idxDigest.String() {
		t.Errorf("filtered oci index: %+v", got["multi"])
	}
	// docker save stores layers uncompressed; go-containerregistry recompresses them the
	// same way every time, so two images from one archive agree.
	if got["archived"].Digest == "" || got["archived"].Digest != got["archived-tag"].Digest {
		t.Errorf("docker-archive digests: %+v %+v", got["archived"], got["archived-tag"])
	}
	if _, err := Pull(ctx, t.TempDir(), []Image{{Name: "x", Source: "oci:" + src}}); err == nil || !strings.Contains(err.Error(), "app") {
		t.Errorf("ambiguous oci source should list its names: %v", err)
	}
}
