// Package imagestest builds container images, multi-arch indexes and registries for the tests
// of package images and for the demo: seeded, reproducible, served on 127.0.0.1 only.
package imagestest

import (
	"archive/tar"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

// epoch is the fixed time stamped into every tar header and config, so the same seed gives the
// same digest on every machine and every day.
var epoch = time.Date(2017, time.March, 1, 0, 0, 0, 0, time.UTC)

// ImageSpec describes one generated image.
type ImageSpec struct {
	// Seed makes the image: the same spec gives the same digest.
	Seed uint64
	// LayerSizes is the size in bytes of the random file in each layer (after Base).
	LayerSizes []int64
	// Base layers come first; sharing them between images shares blobs, as a common
	// distribution base does.
	Base []v1.Layer
	// Platform defaults to linux/amd64.
	Platform *v1.Platform
	// Env and Cmd go into the config, to make images look like the components they stand for.
	Env []string
	Cmd []string
}

// Layer returns an OCI gzip layer holding one file of size bytes of seeded random data. The
// data is regenerated on every read, so a layer of any size costs no memory; random data does
// not compress, which makes transfer benchmarks honest.
func Layer(seed uint64, size int64) (v1.Layer, error) {
	opener := func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeLayer(pw, seed, size)) }()
		return pr, nil
	}
	l, err := tarball.LayerFromOpener(opener, tarball.WithMediaType(types.OCILayer))
	if err != nil {
		return nil, fmt.Errorf("generating layer of seed %d: %w", seed, err)
	}
	return l, nil
}

func writeLayer(w io.Writer, seed uint64, size int64) error {
	// BestSpeed stores random data almost as is, at memory speed; the stdlib writer would spend
	// most of a benchmark compressing what does not compress.
	zw, err := gzip.NewWriterLevel(w, gzip.BestSpeed)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     fmt.Sprintf("opt/data/%016x.bin", seed),
		Mode:     0o644,
		Size:     size,
		ModTime:  epoch,
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.CopyN(tw, NewRandom(seed), size); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return zw.Close()
}

// NewRandom returns a fast deterministic stream of random bytes (ChaCha8, whose output is
// fixed by its specification, so fixtures are the same across Go releases).
func NewRandom(seed uint64) io.Reader {
	var key [32]byte
	binary.LittleEndian.PutUint64(key[:], seed)
	binary.LittleEndian.PutUint64(key[8:], 0x70616c6c6574697a) // "palletiz": keeps seed 0 useful
	return rand.NewChaCha8(key)
}

// Image builds the image a spec describes, with OCI media types.
func Image(spec ImageSpec) (v1.Image, error) {
	layers := append([]v1.Layer(nil), spec.Base...)
	for i, size := range spec.LayerSizes {
		l, err := Layer(spec.Seed*1000+uint64(i)+1, size)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	adds := make([]mutate.Addendum, len(layers))
	for i, l := range layers {
		adds[i] = mutate.Addendum{
			Layer:     l,
			MediaType: types.OCILayer,
			History:   v1.History{Created: v1.Time{Time: epoch}, CreatedBy: fmt.Sprintf("imagestest layer %d", i)},
		}
	}
	img, err := mutate.Append(img, adds...)
	if err != nil {
		return nil, fmt.Errorf("assembling image of seed %d: %w", spec.Seed, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	p := v1.Platform{OS: "linux", Architecture: "amd64"}
	if spec.Platform != nil {
		p = *spec.Platform
	}
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: epoch}
	cf.Config.Env = spec.Env
	cf.Config.Cmd = spec.Cmd
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("setting config of image of seed %d: %w", spec.Seed, err)
	}
	return img, nil
}

// Index builds an OCI image index with one image per platform ("linux/amd64", "linux/arm64/v8"),
// each made from spec with its own seed, so the children differ.
func Index(spec ImageSpec, platforms ...string) (v1.ImageIndex, error) {
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	adds := make([]mutate.IndexAddendum, 0, len(platforms))
	for i, ps := range platforms {
		p, err := v1.ParsePlatform(ps)
		if err != nil {
			return nil, fmt.Errorf("platform %q: %w", ps, err)
		}
		child := spec
		child.Seed = spec.Seed*100 + uint64(i)
		child.Platform = p
		img, err := Image(child)
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p}})
	}
	return mutate.AppendManifests(idx, adds...), nil
}
