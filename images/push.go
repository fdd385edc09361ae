package images

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// Push copies the bundle's images to their targets. With imgs nil every image of the bundle
// goes to the target recorded at pull; otherwise only the named images, to their Target when
// set, and an image whose Digest (locked) differs from the digest the bundle was pulled at is
// refused. Manifests are pushed byte for byte, so digests are preserved; blobs the registry
// already has are not uploaded; a tag that already holds the same digest is left alone, one
// that holds another follows WithOnExisting. Images are pushed WithConcurrency at a time; the
// result is sorted by name and holds every image, also when the error is not nil.
func Push(ctx context.Context, bundleDir string, imgs []Image, opts ...Option) ([]Pushed, error) {
	o := makeOptions(opts)
	b, err := OpenBundle(bundleDir)
	if err != nil {
		return nil, err
	}
	jobs, err := pushJobs(b, imgs, o)
	if err != nil {
		return nil, err
	}
	prog := newTracker(o.progress)
	out := make([]Pushed, len(jobs))
	errs := make([]error, len(jobs))
	fail := func(i int, err error) {
		errs[i] = err
		prog.fail(jobs[i].entry.Name, err)
	}
	// First which tags need a push at all, so a second push costs one HEAD per image.
	var g errgroup.Group
	g.SetLimit(o.concurrency)
	for i, j := range jobs {
		g.Go(func() error {
			prog.start(j.entry.Name, "pushing", j.entry.Size)
			out[i], errs[i] = check(ctx, j, o)
			if errs[i] != nil {
				fail(i, errs[i])
			} else if out[i].Action == "unchanged" || out[i].Action == "skipped" {
				prog.phase(j.entry.Name, out[i].Action)
			}
			return nil
		})
	}
	_ = g.Wait()
	var todo []int
	for i := range jobs {
		if errs[i] == nil && (out[i].Action == "pushed" || out[i].Action == "overwritten") {
			todo = append(todo, i)
		}
	}
	mounts, err := uploadShared(ctx, jobs, todo, o)
	if err != nil {
		for _, i := range todo {
			fail(i, err)
		}
		return out, errors.Join(errs...)
	}
	for _, i := range todo {
		g.Go(func() error {
			if err := write(ctx, b, jobs[i], mounts, o, prog); err != nil {
				fail(i, err)
			}
			return nil
		})
	}
	_ = g.Wait()
	return out, errors.Join(errs...)
}

type pushJob struct {
	entry Entry
	ref   name.Reference
}

func pushJobs(b *Bundle, imgs []Image, o *options) ([]pushJob, error) {
	byName := map[string]Entry{}
	for _, e := range b.Entries {
		byName[e.Name] = e
	}
	if imgs == nil {
		for _, e := range b.Entries {
			imgs = append(imgs, Image{Name: e.Name})
		}
	}
	var jobs []pushJob
	for _, im := range imgs {
		e, ok := byName[im.Name]
		if !ok {
			return nil, fmt.Errorf("image %q: %w %s; run palletizer build to pull it", im.Name, ErrNotInBundle, b.Dir)
		}
		if im.Digest != "" && im.Digest != e.SourceDigest {
			return nil, &DriftError{Image: im.Name, Source: e.Source + " (as bundled)", Locked: im.Digest, Current: e.SourceDigest}
		}
		target := im.Target
		if target == "" {
			target = e.Target
		}
		if target == "" {
			return nil, fmt.Errorf("image %q has no target reference; set one in the recipe", im.Name)
		}
		ref, err := targetRef(target, o)
		if err != nil {
			return nil, fmt.Errorf("image %q: target: %w", im.Name, err)
		}
		if dg, ok := ref.(name.Digest); ok && dg.DigestStr() != e.Digest {
			return nil, fmt.Errorf("image %q: target %s names a digest, but the bundle holds %s", im.Name, ref, e.Digest)
		}
		jobs = append(jobs, pushJob{entry: e, ref: ref})
	}
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].entry.Name < jobs[j].entry.Name })
	return jobs, nil
}

// targetRef applies the registry override: "old.host:5000/indigo/x:1" with WithRegistry
// ("site:5000") becomes "site:5000/indigo/x:1".
func targetRef(target string, o *options) (name.Reference, error) {
	ref, err := parseRef(target, o.insecure)
	if err != nil || o.registry == "" {
		return ref, err
	}
	s := strings.TrimSuffix(o.registry, "/") + "/" + ref.Context().RepositoryStr()
	switch r := ref.(type) {
	case name.Digest:
		s += "@" + r.DigestStr()
	case name.Tag:
		s += ":" + r.TagStr()
	}
	return parseRef(s, o.insecure)
}

// check decides what to do with one image by what its target tag holds now.
func check(ctx context.Context, j pushJob, o *options) (Pushed, error) {
	e := j.entry
	res := Pushed{Name: e.Name, Target: j.ref.String(), Digest: e.Digest}
	existing, err := headDigest(ctx, j.ref, o)
	switch {
	case err == nil && existing.Digest.String() == e.Digest:
		res.Action = "unchanged"
	case err == nil:
		switch o.onExisting {
		case OnExistingSkip:
			res.Action = "skipped"
		case OnExistingOverwrite:
			res.Action = "overwritten"
		default:
			return res, fmt.Errorf("image %q: %s holds %s, the bundle %s: %w; choose on-existing skip or overwrite",
				e.Name, j.ref, existing.Digest, e.Digest, ErrTagExists)
		}
	case isNotFound(err):
		res.Action = "pushed"
	default:
		return res, fmt.Errorf("image %q: checking %s: %w", e.Name, j.ref, err)
	}
	return res, nil
}

// uploadShared uploads once each layer that several images bound for the same registry hold,
// into the repository of the first of them; the others then mount it from there instead of
// uploading it again (registries keep blobs per repository).
func uploadShared(ctx context.Context, jobs []pushJob, todo []int, o *options) (map[string]name.Repository, error) {
	type key struct{ registry, digest string }
	holders := map[key][]int{}
	blobs := map[key]blob{}
	var keys []key
	for _, i := range todo {
		for _, bl := range jobs[i].entry.blobs {
			if !bl.layer {
				continue
			}
			k := key{jobs[i].ref.Context().RegistryStr(), bl.digest.String()}
			if holders[k] == nil {
				keys = append(keys, k)
			}
			holders[k] = append(holders[k], i)
			blobs[k] = bl
		}
	}
	mounts := map[string]name.Repository{} // registry + digest -> repository holding it
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	for _, k := range keys {
		if len(holders[k]) < 2 {
			continue
		}
		owner := jobs[holders[k][0]]
		repo := owner.ref.Context()
		bl := blobs[k]
		g.Go(func() error {
			l, err := partial.CompressedToLayer(blobLayer{bl})
			if err != nil {
				return err
			}
			if err := remote.WriteLayer(repo, l, o.remoteOptions(gctx)...); err != nil {
				return fmt.Errorf("image %q: uploading shared layer %s to %s: %w", owner.entry.Name, bl.digest, repo, err)
			}
			mu.Lock()
			mounts[k.registry+"@"+k.digest] = repo
			mu.Unlock()
			return nil
		})
	}
	return mounts, g.Wait()
}

// blobLayer is a bundle blob as a compressed layer, for WriteLayer.
type blobLayer struct{ b blob }

func (l blobLayer) Digest() (v1.Hash, error)            { return l.b.digest, nil }
func (l blobLayer) Compressed() (io.ReadCloser, error)  { return l.b.open() }
func (l blobLayer) Size() (int64, error)                { return l.b.size, nil }
func (l blobLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }

// write pushes one image or index, manifests byte for byte.
func write(ctx context.Context, b *Bundle, j pushJob, mounts map[string]name.Repository, o *options, prog *tracker) error {
	e := j.entry
	a, err := b.artifact(e.desc)
	if err != nil {
		return fmt.Errorf("image %q: %w", e.Name, err)
	}
	m := mounter{registry: j.ref.Context().RegistryStr(), mounts: mounts}
	updates := make(chan v1.Update, 16)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for u := range updates {
			if u.Error != nil {
				continue // the error is returned, and reported as "failed"
			}
			prog.set(e.Name, "pushing", u.Complete, u.Total)
		}
	}()
	ropts := append(o.remoteOptions(ctx), remote.WithProgress(updates))
	if a.idx != nil {
		err = remote.WriteIndex(j.ref, mountIndex{a.idx, m}, ropts...)
	} else {
		err = remote.Write(j.ref, mountImage{a.img, m}, ropts...)
	}
	<-done
	if err != nil {
		return fmt.Errorf("image %q: pushing to %s: %w", e.Name, j.ref, err)
	}
	// A registry that rewrote the manifest would break every digest pin downstream.
	after, err := headDigest(ctx, j.ref, o)
	if err != nil {
		return fmt.Errorf("image %q: reading back %s: %w", e.Name, j.ref, err)
	}
	if after.Digest.String() != e.Digest {
		return fmt.Errorf("image %q: %s serves %s after the push of %s; the registry rewrote the manifest", e.Name, j.ref, after.Digest, e.Digest)
	}
	prog.phase(e.Name, "done")
	return nil
}

// mounter marks the layers uploaded by uploadShared as mountable from their repository.
type mounter struct {
	registry string
	mounts   map[string]name.Repository
}

func (m mounter) layer(l v1.Layer) v1.Layer {
	d, err := l.Digest()
	if err != nil {
		return l
	}
	if repo, ok := m.mounts[m.registry+"@"+d.String()]; ok {
		return &remote.MountableLayer{Layer: l, Reference: repo.Digest(d.String())}
	}
	return l
}

// mountImage and mountIndex hand go-containerregistry mountable layers; manifests and their
// bytes are those of the bundle, untouched.
type mountImage struct {
	v1.Image
	m mounter
}

func (i mountImage) Layers() ([]v1.Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, err
	}
	out := make([]v1.Layer, len(ls))
	for k, l := range ls {
		out[k] = i.m.layer(l)
	}
	return out, nil
}

type mountIndex struct {
	base
	m mounter
}

// base is v1.ImageIndex under another name: an embedded field named ImageIndex would clash
// with the method of the same name.
type base = v1.ImageIndex

func (i mountIndex) Image(h v1.Hash) (v1.Image, error) {
	img, err := i.base.Image(h)
	if err != nil {
		return nil, err
	}
	return mountImage{img, i.m}, nil
}

func (i mountIndex) ImageIndex(h v1.Hash) (v1.ImageIndex, error) {
	idx, err := i.base.ImageIndex(h)
	if err != nil {
		return nil, err
	}
	return mountIndex{idx, i.m}, nil
}
