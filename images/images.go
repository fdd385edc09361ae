// Package images moves a cluster's container images: it pulls them into one reproducible OCI
// image layout bundle, resolves and locks their digests, and pushes the bundle to a registry.
package images

import (
	"errors"
	"fmt"
)

// Image is one component image, as the recipe and the lock file give it.
type Image struct {
	// Name identifies the image in the bundle ("mesos-master"); letters, digits, '.', '_', '-'.
	Name string
	// Source is where to pull from: a registry reference ("host/repo:tag", "host/repo@sha256:...",
	// optionally prefixed "docker://"), "oci:PATH", "oci:PATH:REF", "oci:PATH@sha256:..." (an OCI
	// image layout directory; REF matches org.opencontainers.image.ref.name), or
	// "docker-archive:PATH" / "docker-archive:PATH:REPO:TAG" (a `docker save` tarball).
	Source string
	// Target is the reference to push to ("registry.dc1:5000/indigo/mesos-master:1.5.0").
	Target string
	// Platforms selects children of a multi-arch index ("linux/amd64", "linux/arm64/v8"); the
	// index stays an index, holding only those. Empty keeps the index whole.
	Platforms []string
	// Digest, when set, is the locked digest of Source: pull and push go by it and fail with a
	// *DriftError if the source tag now points elsewhere.
	Digest string
}

// Pulled says what Pull put in the bundle for one image.
type Pulled struct {
	Name   string
	Target string
	// SourceDigest is the digest of what Source names (what the lock file records).
	SourceDigest string
	// Digest is the digest of the bundle's top manifest; it differs from SourceDigest only when
	// an index was filtered to Platforms.
	Digest string
	// Size is the bytes of every blob of the image (manifests, configs, layers).
	Size int64
	// Fetched is the bytes this run downloaded; zero when the bundle already had everything.
	Fetched int64
}

// Pushed says what Push did with one image.
type Pushed struct {
	Name   string
	Target string // after any registry override
	Digest string
	// Action is "pushed", "unchanged" (the tag already had this digest), "skipped" (the tag
	// held another digest and the policy is OnExistingSkip) or "overwritten".
	Action string
}

// Update is a progress event for one image, like go-containerregistry's v1.Update.
type Update struct {
	Image    string // Image.Name
	Phase    string // "pulling", "pushing", "done", "unchanged", "skipped", "failed"
	Complete int64  // bytes so far
	Total    int64  // bytes in all (0 when not yet known)
	Err      error  // set when Phase is "failed"
}

// DriftError reports a source tag that no longer points to the locked digest.
type DriftError struct {
	Image   string
	Source  string
	Locked  string
	Current string
}

func (e *DriftError) Error() string {
	return fmt.Sprintf("image %q: %s now points to %s, not the locked %s; run `palletizer lock` to accept the new digest or pin the source by digest",
		e.Image, e.Source, e.Current, e.Locked)
}

// ErrTagExists is returned (wrapped, naming the image) when a target tag holds another digest
// and the on-existing policy is OnExistingError.
var ErrTagExists = errors.New("target tag already exists with another digest")

// ErrNotInBundle is returned (wrapped) when Push is asked for an image the bundle lacks.
var ErrNotInBundle = errors.New("image is not in the bundle")
