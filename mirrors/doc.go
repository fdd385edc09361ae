// Package mirrors reads, selects, fetches and publishes RPM (yum/dnf "repomd") repositories:
// verified, resumable mirroring into a content-addressed store and servable local repositories.
//
// The flow is Open (read upstream metadata) -> Select (globs, newest, dependency closure) ->
// Store.Fetch (verified parallel download) -> Publish (a directory with fresh repodata).
// ScanDir reads local RPM files, so Publish also replaces createrepo_c for local packages.
package mirrors

import "errors"

// Sentinel errors; callers branch on them with errors.Is.
var (
	// ErrChecksum: a downloaded file does not match the checksum its metadata names.
	ErrChecksum = errors.New("checksum mismatch")
	// ErrUnsafeLocation: metadata names a file outside its repository.
	ErrUnsafeLocation = errors.New("location escapes the repository")
	// ErrTooLarge: decompressed metadata exceeds Options.MaxMetadataSize.
	ErrTooLarge = errors.New("metadata larger than the configured cap")
	// ErrSignatureMissing: gpgcheck is on and repomd.xml.asc is absent.
	ErrSignatureMissing = errors.New("repomd.xml.asc is missing")
	// ErrBadSignature: repomd.xml.asc does not verify against the repository's gpgkey.
	ErrBadSignature = errors.New("repomd.xml signature does not verify")
)
