package images

import (
	"bytes"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/v1"
)

// blob is one blob of an image tree and how to read it.
type blob struct {
	digest v1.Hash
	size   int64
	open   func() (io.ReadCloser, error)
	layer  bool // a layer (shared between images, so worth mounting), not a manifest or config
}

// walk lists every blob of an artifact tree, manifests first, in a fixed order, without
// duplicates. Non-distributable (foreign) layers are left out, as registries refuse them and
// go-containerregistry does not push them.
func walk(a *artifact) ([]blob, error) {
	w := &walker{seen: map[v1.Hash]bool{}}
	var err error
	if a.idx != nil {
		err = w.index(a.idx)
	} else {
		err = w.image(a.img)
	}
	return w.blobs, err
}

type walker struct {
	seen  map[v1.Hash]bool
	blobs []blob
}

func (w *walker) addBytes(b []byte) error {
	h, size, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return err
	}
	w.add(blob{digest: h, size: size, open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(b)), nil
	}})
	return nil
}

func (w *walker) add(b blob) {
	if !w.seen[b.digest] {
		w.seen[b.digest] = true
		w.blobs = append(w.blobs, b)
	}
}

func (w *walker) index(idx v1.ImageIndex) error {
	raw, err := idx.RawManifest()
	if err != nil {
		return fmt.Errorf("reading index manifest: %w", err)
	}
	if err := w.addBytes(raw); err != nil {
		return err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return fmt.Errorf("parsing index manifest: %w", err)
	}
	for _, d := range im.Manifests {
		switch {
		case d.MediaType.IsIndex():
			child, err := idx.ImageIndex(d.Digest)
			if err != nil {
				return fmt.Errorf("reading index %s: %w", d.Digest, err)
			}
			if err := w.index(child); err != nil {
				return err
			}
		case d.MediaType.IsImage():
			child, err := idx.Image(d.Digest)
			if err != nil {
				return fmt.Errorf("reading image %s: %w", d.Digest, err)
			}
			if err := w.image(child); err != nil {
				return err
			}
		default:
			return fmt.Errorf("index child %s has media type %q, neither an image nor an index", d.Digest, d.MediaType)
		}
	}
	return nil
}

func (w *walker) image(img v1.Image) error {
	raw, err := img.RawManifest()
	if err != nil {
		return fmt.Errorf("reading image manifest: %w", err)
	}
	if err := w.addBytes(raw); err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return fmt.Errorf("parsing image manifest: %w", err)
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return fmt.Errorf("reading config %s: %w", m.Config.Digest, err)
	}
	if err := w.addBytes(cfg); err != nil {
		return err
	}
	for _, d := range m.Layers {
		if !d.MediaType.IsDistributable() {
			continue
		}
		if w.seen[d.Digest] {
			continue
		}
		l, err := img.LayerByDigest(d.Digest)
		if err != nil {
			return fmt.Errorf("reading layer %s: %w", d.Digest, err)
		}
		w.add(blob{digest: d.Digest, size: d.Size, open: l.Compressed, layer: true})
	}
	return nil
}
