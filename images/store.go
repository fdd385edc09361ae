package images

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// The bundle is an OCI image layout. go-containerregistry's layout writer is not used for
// blobs: it writes a blob of known digest straight to its final name, so an interrupted pull
// would leave a truncated blob that the next run takes as complete. Here a blob is written to
// a temp file under .partial/, checked against its digest and size, then renamed into place.
const (
	partialDir = ".partial"
	layoutFile = "oci-layout"
	indexFile  = "index.json"
)

// Annotations of the bundle's index.json entries.
const (
	AnnotationRefName      = "org.opencontainers.image.ref.name" // Image.Name (skopeo's oci:DIR:NAME)
	AnnotationImageName    = "io.containerd.image.name"          // the target, for ctr import
	AnnotationName         = "io.palletizer.image.name"
	AnnotationSource       = "io.palletizer.image.source"
	AnnotationSourceDigest = "io.palletizer.image.source-digest"
	AnnotationTarget       = "io.palletizer.image.target"
)

func blobPath(dir string, h v1.Hash) string {
	return filepath.Join(dir, "blobs", h.Algorithm, h.Hex)
}

func hasBlob(dir string, h v1.Hash, size int64) bool {
	st, err := os.Stat(blobPath(dir, h))
	return err == nil && st.Mode().IsRegular() && st.Size() == size
}

// writeBlob streams r into the bundle as blob h, verifying digest and size before the blob
// becomes visible. counted receives the bytes as they are written, for progress.
func writeBlob(dir string, h v1.Hash, size int64, r io.Reader, counted func(int64)) error {
	if h.Algorithm != "sha256" {
		return fmt.Errorf("blob %s: only sha256 digests are supported", h)
	}
	if err := os.MkdirAll(filepath.Join(dir, partialDir), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "blobs", h.Algorithm), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Join(dir, partialDir), h.Hex+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	sum := sha256.New()
	w := io.MultiWriter(f, sum, progressWriter(counted))
	n, err := io.Copy(w, io.LimitReader(r, size+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing blob %s: %w", h, err)
	}
	if got := hex.EncodeToString(sum.Sum(nil)); n != size || got != h.Hex {
		return fmt.Errorf("blob %s: received %d bytes with digest sha256:%s, want %d bytes; the source serves corrupt data, pull again", h, n, got, size)
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, blobPath(dir, h))
}

type progressWriter func(int64)

func (p progressWriter) Write(b []byte) (int, error) {
	if p != nil {
		p(int64(len(b)))
	}
	return len(b), nil
}

// writeFileAtomic writes a small file (index.json, oci-layout) by temp file and rename, and
// leaves an identical file untouched.
func writeFileAtomic(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && string(old) == string(data) {
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// writeIndex writes oci-layout and index.json with entries sorted by image name, so the same
// images give the same bytes.
func writeIndex(dir string, entries []v1.Descriptor) error {
	sort.Slice(entries, func(i, j int) bool {
		return entries[i].Annotations[AnnotationName] < entries[j].Annotations[AnnotationName]
	})
	if err := writeFileAtomic(filepath.Join(dir, layoutFile), []byte(`{"imageLayoutVersion":"1.0.0"}`+"\n")); err != nil {
		return err
	}
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: entries}
	if idx.Manifests == nil {
		idx.Manifests = []v1.Descriptor{}
	}
	data, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, indexFile), append(data, '\n'))
}

// prune removes blobs no image of the bundle references (left from images dropped from the
// recipe), so the bundle holds exactly what index.json names, and the temp directory.
func prune(dir string, keep map[v1.Hash]bool) error {
	root := filepath.Join(dir, "blobs", "sha256")
	ents, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() || len(n) != 64 || strings.Trim(n, "0123456789abcdef") != "" {
			continue
		}
		if !keep[v1.Hash{Algorithm: "sha256", Hex: n}] {
			if err := os.Remove(filepath.Join(root, n)); err != nil {
				return err
			}
		}
	}
	return os.RemoveAll(filepath.Join(dir, partialDir))
}
