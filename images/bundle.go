package images

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// Bundle is a pulled OCI layout, read back for push, inspect and the manifest.
type Bundle struct {
	Dir     string
	Entries []Entry // sorted by name, as in index.json
	root    v1.ImageIndex
}

// Entry is one image of a bundle.
type Entry struct {
	Name         string
	Source       string
	SourceDigest string
	Target       string
	Digest       string
	MediaType    string
	// Size is the bytes of every blob of the image; blobs shared with other images count here too.
	Size      int64
	Platforms []string // of an index's children, or of the single image
	desc      v1.Descriptor
	blobs     []blob
}

// OpenBundle reads a bundle's index.json and the manifests under it (not the layers).
func OpenBundle(dir string) (*Bundle, error) {
	lp, err := layout.FromPath(dir)
	if err != nil {
		return nil, fmt.Errorf("opening image bundle %s (run palletizer build first): %w", dir, err)
	}
	root, err := lp.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading index.json of image bundle %s: %w", dir, err)
	}
	im, err := root.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index.json of image bundle %s: %w", dir, err)
	}
	b := &Bundle{Dir: dir, root: root}
	for _, d := range im.Manifests {
		e := Entry{
			Name:         d.Annotations[AnnotationName],
			Source:       d.Annotations[AnnotationSource],
			SourceDigest: d.Annotations[AnnotationSourceDigest],
			Target:       d.Annotations[AnnotationTarget],
			Digest:       d.Digest.String(),
			MediaType:    string(d.MediaType),
			desc:         d,
		}
		if e.Name == "" {
			e.Name = d.Annotations[AnnotationRefName]
		}
		a, err := b.artifact(d)
		if err != nil {
			return nil, fmt.Errorf("image bundle %s, image %q: %w", dir, e.Name, err)
		}
		if e.blobs, err = walk(a); err != nil {
			return nil, fmt.Errorf("image bundle %s, image %q: %w", dir, e.Name, err)
		}
		for _, bl := range e.blobs {
			e.Size += bl.size
		}
		if e.Platforms, err = platformsOf(a); err != nil {
			return nil, fmt.Errorf("image bundle %s, image %q: %w", dir, e.Name, err)
		}
		b.Entries = append(b.Entries, e)
	}
	return b, nil
}

func (b *Bundle) artifact(d v1.Descriptor) (*artifact, error) {
	a := &artifact{desc: d}
	var err error
	switch {
	case d.MediaType.IsIndex():
		a.idx, err = b.root.ImageIndex(d.Digest)
	case d.MediaType.IsImage():
		a.img, err = b.root.Image(d.Digest)
	default:
		err = fmt.Errorf("media type %q is neither an image nor an index", d.MediaType)
	}
	return a, err
}

func platformsOf(a *artifact) ([]string, error) {
	if a.img != nil {
		cf, err := a.img.ConfigFile()
		if err != nil {
			return nil, err
		}
		return []string{platformString(cf.Platform())}, nil
	}
	m, err := a.idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range m.Manifests {
		if d.Platform != nil {
			out = append(out, d.Platform.String())
		}
	}
	return out, nil
}

// Verify re-reads every blob of every image and checks its digest and size, so a bundle
// carried on removable media can be trusted before it is pushed.
func (b *Bundle) Verify(ctx context.Context) error {
	seen := map[v1.Hash]bool{}
	for _, e := range b.Entries {
		for _, bl := range e.blobs {
			if seen[bl.digest] {
				continue
			}
			seen[bl.digest] = true
			if err := ctx.Err(); err != nil {
				return err
			}
			f, err := os.Open(blobPath(b.Dir, bl.digest))
			if err != nil {
				return fmt.Errorf("image %q: blob %s is missing; pull the bundle again: %w", e.Name, bl.digest, err)
			}
			h, n, err := v1.SHA256(contextReader{ctx, f})
			f.Close()
			if err != nil {
				return fmt.Errorf("image %q: reading blob %s: %w", e.Name, bl.digest, err)
			}
			if h != bl.digest || n != bl.size {
				return fmt.Errorf("image %q: blob %s is corrupt (%d bytes, digest %s); pull the bundle again", e.Name, filepath.Base(blobPath(b.Dir, bl.digest)), n, h)
			}
		}
	}
	return nil
}
