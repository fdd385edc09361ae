package images

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"golang.org/x/sync/errgroup"
)

// validName is what skopeo accepts as the NAME of oci:DIR:NAME, so the bundle reads there too.
var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// pulling is one image on its way into the bundle.
type pulling struct {
	im     Image
	a      *artifact // after platform filtering
	srcDig v1.Hash
	blobs  []blob
	total  int64
}

// Pull makes bundleDir an OCI image layout holding exactly imgs: blobs shared between images
// are stored once, index.json names each image (sorted, annotated with name, source, source
// digest and target), and blobs of images no longer asked for are removed. Blobs the bundle
// already has are not fetched again; a blob becomes visible only once complete and verified,
// so an interrupted pull resumes where it stopped.
func Pull(ctx context.Context, bundleDir string, imgs []Image, opts ...Option) ([]Pulled, error) {
	o := makeOptions(opts)
	if err := checkNames(imgs); err != nil {
		return nil, err
	}
	sorted := append([]Image(nil), imgs...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	if err := os.MkdirAll(bundleDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating bundle directory: %w", err)
	}

	// Read every manifest first: a bad reference or a drifted tag fails before any download.
	// Remote images keep the context they were opened with for their blob reads, so it must
	// live for the whole pull (an errgroup's context ends with Wait).
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ps := make([]*pulling, len(sorted))
	var g errgroup.Group
	g.SetLimit(o.concurrency)
	for i, im := range sorted {
		g.Go(func() error {
			p, err := plan(ctx, im, o)
			ps[i] = p
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	prog := newTracker(o.progress)
	users := map[v1.Hash][]int{} // blob -> images holding it
	var order []blob
	for i, p := range ps {
		prog.start(p.im.Name, "pulling", p.total)
		for _, b := range p.blobs {
			if users[b.digest] == nil {
				order = append(order, b)
			}
			users[b.digest] = append(users[b.digest], i)
		}
	}
	fetched := make([]int64, len(ps))
	var mu sync.Mutex
	remaining := make([]int, len(ps))
	for i, p := range ps {
		remaining[i] = len(p.blobs)
	}
	finished := func(b blob, got int64) {
		mu.Lock()
		defer mu.Unlock()
		for _, i := range users[b.digest] {
			fetched[i] += got
			if remaining[i]--; remaining[i] == 0 {
				prog.phase(ps[i].im.Name, "done")
			}
		}
	}

	g2, gctx := errgroup.WithContext(ctx)
	g2.SetLimit(o.concurrency)
	for _, b := range order {
		g2.Go(func() error {
			names := make([]string, 0, len(users[b.digest]))
			for _, i := range users[b.digest] {
				names = append(names, ps[i].im.Name)
			}
			if hasBlob(bundleDir, b.digest, b.size) {
				prog.add(names, b.size)
				finished(b, 0)
				return nil
			}
			if err := gctx.Err(); err != nil {
				return err
			}
			rc, err := b.open()
			if err != nil {
				return fmt.Errorf("image %s: opening blob %s: %w", quoteAll(names), b.digest, err)
			}
			defer rc.Close()
			if err := writeBlob(bundleDir, b.digest, b.size, contextReader{gctx, rc}, func(n int64) { prog.add(names, n) }); err != nil {
				return fmt.Errorf("image %s: %w", quoteAll(names), err)
			}
			o.logger.Debug("blob fetched", "digest", b.digest.String(), "size", b.size)
			finished(b, b.size)
			return nil
		})
	}
	if err := g2.Wait(); err != nil {
		for i, p := range ps {
			if remaining[i] > 0 {
				prog.fail(p.im.Name, err)
			}
		}
		return nil, err
	}

	keep := map[v1.Hash]bool{}
	entries := make([]v1.Descriptor, len(ps))
	out := make([]Pulled, len(ps))
	for i, p := range ps {
		for _, b := range p.blobs {
			keep[b.digest] = true
		}
		d := p.a.desc
		d.Annotations = map[string]string{
			AnnotationRefName:      p.im.Name,
			AnnotationName:         p.im.Name,
			AnnotationSource:       p.im.Source,
			AnnotationSourceDigest: p.srcDig.String(),
		}
		if p.im.Target != "" {
			d.Annotations[AnnotationTarget] = p.im.Target
			d.Annotations[AnnotationImageName] = p.im.Target
		}
		d.Platform, d.URLs, d.Data = nil, nil, nil
		entries[i] = d
		out[i] = Pulled{Name: p.im.Name, Target: p.im.Target, SourceDigest: p.srcDig.String(),
			Digest: d.Digest.String(), Size: p.total, Fetched: fetched[i]}
	}
	if err := writeIndex(bundleDir, entries); err != nil {
		return nil, fmt.Errorf("writing index.json of bundle %s: %w", bundleDir, err)
	}
	if err := prune(bundleDir, keep); err != nil {
		return nil, fmt.Errorf("removing unreferenced blobs of bundle %s: %w", bundleDir, err)
	}
	return out, nil
}

func checkNames(imgs []Image) error {
	seen := map[string]bool{}
	for _, im := range imgs {
		if !validName.MatchString(im.Name) {
			return fmt.Errorf("image name %q: use letters, digits, '.', '_' and '-', starting with a letter or digit", im.Name)
		}
		if seen[im.Name] {
			return fmt.Errorf("image %q is listed twice; give each image its own name", im.Name)
		}
		seen[im.Name] = true
		if im.Source == "" {
			return fmt.Errorf("image %q has no source", im.Name)
		}
	}
	return nil
}

// plan opens one image, checks its lock, filters its platforms and lists its blobs.
func plan(ctx context.Context, im Image, o *options) (*pulling, error) {
	a, err := openLocked(ctx, im, o)
	if err != nil {
		return nil, err
	}
	p := &pulling{im: im, srcDig: a.desc.Digest}
	if p.a, err = filterPlatforms(a, im); err != nil {
		return nil, err
	}
	if p.blobs, err = walk(p.a); err != nil {
		return nil, fmt.Errorf("image %q from %s: %w", im.Name, im.Source, err)
	}
	for _, b := range p.blobs {
		p.total += b.size
	}
	return p, nil
}

// filterPlatforms keeps the index children of the chosen platforms; the index is rewritten
// (and so gets a new digest) only when a child is dropped. Every chosen platform must be there.
func filterPlatforms(a *artifact, im Image) (*artifact, error) {
	if len(im.Platforms) == 0 {
		return a, nil
	}
	want := make([]v1.Platform, len(im.Platforms))
	for i, s := range im.Platforms {
		p, err := v1.ParsePlatform(s)
		if err != nil {
			return nil, fmt.Errorf("image %q: platform %q: %w", im.Name, s, err)
		}
		want[i] = *p
	}
	var have []string
	found := make([]bool, len(want))
	matches := func(p *v1.Platform) bool {
		ok := false
		for i, w := range want {
			if p != nil && p.Satisfies(w) {
				found[i], ok = true, true
			}
		}
		return ok
	}
	if a.img != nil {
		cf, err := a.img.ConfigFile()
		if err != nil {
			return nil, fmt.Errorf("image %q: reading config: %w", im.Name, err)
		}
		p := cf.Platform()
		if !matches(p) {
			return nil, fmt.Errorf("image %q from %s is %s only, not %s; drop the platforms or pick a multi-arch source",
				im.Name, im.Source, platformString(p), strings.Join(im.Platforms, ", "))
		}
		return a, nil
	}
	m, err := a.idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("image %q: reading index: %w", im.Name, err)
	}
	drop := 0
	for _, d := range m.Manifests {
		have = append(have, platformString(d.Platform))
		if !matches(d.Platform) {
			drop++
		}
	}
	for i, ok := range found {
		if !ok {
			return nil, fmt.Errorf("image %q from %s has no %s image; it has %s", im.Name, im.Source, im.Platforms[i], strings.Join(have, ", "))
		}
	}
	if drop == 0 {
		return a, nil
	}
	idx := mutate.RemoveManifests(a.idx, func(d v1.Descriptor) bool {
		for _, w := range want {
			if d.Platform != nil && d.Platform.Satisfies(w) {
				return false
			}
		}
		return true
	})
	desc, err := indexDescriptor(idx)
	if err != nil {
		return nil, fmt.Errorf("image %q: filtering index: %w", im.Name, err)
	}
	return &artifact{desc: desc, idx: idx}, nil
}

func indexDescriptor(idx v1.ImageIndex) (v1.Descriptor, error) {
	mt, err := idx.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	dg, err := idx.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	size, err := idx.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: dg, Size: size}, nil
}

func platformString(p *v1.Platform) string {
	if p == nil {
		return "unknown platform"
	}
	return p.String()
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// contextReader stops a blob copy when the context ends, so a cancelled pull returns at once
// even from a local source.
type contextReader struct {
	ctx context.Context
	r   interface{ Read([]byte) (int, error) }
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
