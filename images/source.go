package images

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// The source schemes Image.Source takes besides a plain registry reference.
const (
	schemeOCI           = "oci:"
	schemeDockerArchive = "docker-archive:"
	schemeDocker        = "docker://"
)

// artifact is what a source reference names: an image or an index, with its descriptor.
type artifact struct {
	desc v1.Descriptor
	img  v1.Image
	idx  v1.ImageIndex
}

// parseRef parses a registry reference, using plain HTTP for loopback hosts and when insecure.
func parseRef(s string, insecure bool) (name.Reference, error) {
	s = strings.TrimPrefix(s, schemeDocker)
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("reference %q: %w", s, err)
	}
	if insecure || isLoopback(ref.Context().RegistryStr()) {
		ref, err = name.ParseReference(s, name.Insecure)
		if err != nil {
			return nil, fmt.Errorf("reference %q: %w", s, err)
		}
	}
	return ref, nil
}

func isLoopback(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// splitLocal splits "PATH[:REF]" or "PATH@sha256:..." of a local source; REF holds no '/',
// so a path with colons still parses when it names no REF.
func splitLocal(s string) (path, ref string) {
	if i := strings.LastIndex(s, "@sha256:"); i >= 0 {
		return s[:i], s[i+1:]
	}
	if i := strings.LastIndex(s, ":"); i >= 0 && !strings.Contains(s[i+1:], "/") {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// open resolves a source to its artifact. Registry sources are opened lazily: only manifests
// are read here, blobs stream later.
func open(ctx context.Context, src string, o *options) (*artifact, error) {
	switch {
	case strings.HasPrefix(src, schemeOCI):
		return openLayout(strings.TrimPrefix(src, schemeOCI))
	case strings.HasPrefix(src, schemeDockerArchive):
		return openArchive(strings.TrimPrefix(src, schemeDockerArchive))
	}
	ref, err := parseRef(src, o.insecure)
	if err != nil {
		return nil, err
	}
	return openRemote(ctx, ref, o)
}

func openRemote(ctx context.Context, ref name.Reference, o *options) (*artifact, error) {
	d, err := remote.Get(ref, o.remoteOptions(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("fetching manifest of %s: %w", ref, err)
	}
	a := &artifact{desc: d.Descriptor}
	switch {
	case d.MediaType.IsIndex():
		a.idx, err = d.ImageIndex()
	case d.MediaType.IsImage():
		a.img, err = d.Image()
	default:
		return nil, fmt.Errorf("%s is a %s, neither an image nor an index", ref, d.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", ref, err)
	}
	return a, nil
}

func openLayout(spec string) (*artifact, error) {
	path, ref := splitLocal(spec)
	lp, err := layout.FromPath(path)
	if err != nil {
		return nil, fmt.Errorf("opening OCI layout %s: %w", path, err)
	}
	root, err := lp.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading index.json of OCI layout %s: %w", path, err)
	}
	im, err := root.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading index.json of OCI layout %s: %w", path, err)
	}
	var found []v1.Descriptor
	var names []string
	for _, d := range im.Manifests {
		rn := d.Annotations["org.opencontainers.image.ref.name"]
		names = append(names, rn)
		switch {
		case ref == "" && len(im.Manifests) == 1,
			strings.HasPrefix(ref, "sha256:") && d.Digest.String() == ref,
			ref != "" && rn == ref:
			found = append(found, d)
		}
	}
	sort.Strings(names)
	if len(found) != 1 {
		what := "no image"
		if len(found) > 1 {
			what = "several images"
		}
		return nil, fmt.Errorf("OCI layout %s has %s matching %q; name one of its ref names %q as oci:%s:NAME or by oci:%s@sha256:DIGEST",
			path, what, ref, names, path, path)
	}
	d := found[0]
	a := &artifact{desc: d}
	switch {
	case d.MediaType.IsIndex():
		a.idx, err = root.ImageIndex(d.Digest)
	case d.MediaType.IsImage():
		a.img, err = root.Image(d.Digest)
	default:
		err = fmt.Errorf("media type %s is neither an image nor an index", d.MediaType)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s from OCI layout %s: %w", d.Digest, path, err)
	}
	a.desc.Annotations, a.desc.Platform = nil, nil
	return a, nil
}

func openArchive(spec string) (*artifact, error) {
	path, ref := spec, ""
	// docker-archive:PATH:REPO:TAG names one of several images; PATH may not contain ':' then.
	if i := strings.Index(spec, ":"); i >= 0 {
		path, ref = spec[:i], spec[i+1:]
	}
	var tag *name.Tag
	if ref != "" {
		t, err := name.NewTag(ref)
		if err != nil {
			return nil, fmt.Errorf("docker archive %s: image %q: %w", path, ref, err)
		}
		tag = &t
	}
	img, err := tarball.ImageFromPath(path, tag)
	if err != nil {
		return nil, fmt.Errorf("reading docker archive %s: %w", path, err)
	}
	d, err := descriptorOf(img)
	if err != nil {
		return nil, fmt.Errorf("reading docker archive %s: %w", path, err)
	}
	return &artifact{desc: d, img: img}, nil
}

func descriptorOf(img v1.Image) (v1.Descriptor, error) {
	mt, err := img.MediaType()
	if err != nil {
		return v1.Descriptor{}, err
	}
	dg, err := img.Digest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	size, err := img.Size()
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: mt, Digest: dg, Size: size}, nil
}

// headDigest asks a registry which digest a reference points to, falling back to GET for
// registries that do not answer HEAD on manifests.
func headDigest(ctx context.Context, ref name.Reference, o *options) (v1.Descriptor, error) {
	d, err := remote.Head(ref, o.remoteOptions(ctx)...)
	if err == nil {
		return *d, nil
	}
	if isNotFound(err) {
		return v1.Descriptor{}, err
	}
	g, gerr := remote.Get(ref, o.remoteOptions(ctx)...)
	if gerr != nil {
		return v1.Descriptor{}, gerr
	}
	return g.Descriptor, nil
}

func isNotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

// Resolve returns the current digest of a source reference (any form Image.Source takes), as
// the lock file records it.
func Resolve(ctx context.Context, src string, opts ...Option) (string, error) {
	o := makeOptions(opts)
	if strings.HasPrefix(src, schemeOCI) || strings.HasPrefix(src, schemeDockerArchive) {
		a, err := open(ctx, src, o)
		if err != nil {
			return "", err
		}
		return a.desc.Digest.String(), nil
	}
	ref, err := parseRef(src, o.insecure)
	if err != nil {
		return "", err
	}
	d, err := headDigest(ctx, ref, o)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", ref, err)
	}
	return d.Digest.String(), nil
}

// openLocked opens an image's source; with a locked digest it checks the tag still points to
// it and then reads by digest, so a tag moved between check and read cannot slip through.
func openLocked(ctx context.Context, im Image, o *options) (*artifact, error) {
	locked := im.Digest
	local := strings.HasPrefix(im.Source, schemeOCI) || strings.HasPrefix(im.Source, schemeDockerArchive)
	if locked == "" || local {
		a, err := open(ctx, im.Source, o)
		if err != nil {
			return nil, fmt.Errorf("image %q: %w", im.Name, err)
		}
		if locked != "" && a.desc.Digest.String() != locked {
			return nil, &DriftError{Image: im.Name, Source: im.Source, Locked: locked, Current: a.desc.Digest.String()}
		}
		return a, nil
	}
	if _, err := v1.NewHash(locked); err != nil {
		return nil, fmt.Errorf("image %q: locked digest %q: %w", im.Name, locked, err)
	}
	ref, err := parseRef(im.Source, o.insecure)
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", im.Name, err)
	}
	current := ""
	if dg, ok := ref.(name.Digest); ok {
		current = dg.DigestStr()
	} else {
		d, err := headDigest(ctx, ref, o)
		if err != nil {
			return nil, fmt.Errorf("image %q: resolving %s: %w", im.Name, ref, err)
		}
		current = d.Digest.String()
	}
	if current != locked {
		return nil, &DriftError{Image: im.Name, Source: im.Source, Locked: locked, Current: current}
	}
	a, err := openRemote(ctx, ref.Context().Digest(locked), o)
	if err != nil {
		return nil, fmt.Errorf("image %q: %w", im.Name, err)
	}
	return a, nil
}
