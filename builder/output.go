package builder

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Artifact is one file of the output tree.
type Artifact struct {
	Path   string   `json:"path"` // relative to the output directory, slash-separated
	SHA256 string   `json:"sha256"`
	Size   int64    `json:"size"`
	Kind   string   `json:"kind"`             // kickstart, cloud-init, user-data, repository, pallet, ...
	Inputs []string `json:"inputs,omitempty"` // what it was made from: hosts, packages, images
}

// Manifest describes a build: every artifact and what it came from.
type Manifest struct {
	Tool         string            `json:"tool"`
	Cluster      string            `json:"cluster"`
	Version      string            `json:"version"`
	Recipe       string            `json:"recipe"`        // the recipe file, as named
	RecipeSHA256 string            `json:"recipe_sha256"` // digest of the recipe's bytes
	LockSHA256   string            `json:"lock_sha256,omitempty"`
	Images       map[string]string `json:"images,omitempty"` // image name -> digest
	Artifacts    []Artifact        `json:"artifacts"`
}

// outTree writes files under one directory and records them. It never writes outside root and
// leaves an unchanged file untouched, so a re-run with nothing changed rewrites nothing.
type outTree struct {
	root      string
	artifacts []Artifact
	written   int // files actually (re)written
}

func (t *outTree) path(rel string) (string, error) {
	clean := filepath.Clean(filepath.FromSlash(rel))
	if filepath.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("refusing to write %q outside the output directory %s", rel, t.root)
	}
	return filepath.Join(t.root, clean), nil
}

// write stores data at rel with mode perm, atomically, and records it as an artifact.
func (t *outTree) write(rel string, data []byte, perm os.FileMode, kind string, inputs ...string) error {
	p, err := t.path(rel)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	t.artifacts = append(t.artifacts, Artifact{Path: filepath.ToSlash(rel), SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data)), Kind: kind, Inputs: inputs})
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		if st, err := os.Stat(p); err == nil && st.Mode().Perm() == perm {
			return nil
		}
	}
	t.written++
	return writeAtomic(p, perm, func(w io.Writer) error { _, err := w.Write(data); return err })
}

// record adds a file something else wrote (a repository, an ISO) to the artifacts.
func (t *outTree) record(rel, kind string, inputs ...string) error {
	p, err := t.path(rel)
	if err != nil {
		return err
	}
	sum, size, err := fileSHA256(p)
	if err != nil {
		return err
	}
	t.artifacts = append(t.artifacts, Artifact{Path: filepath.ToSlash(rel), SHA256: sum, Size: size, Kind: kind, Inputs: inputs})
	return nil
}

// finish writes manifest.json and SHA256SUMS over every artifact, sorted by path.
func (t *outTree) finish(m *Manifest) error {
	sort.Slice(t.artifacts, func(i, j int) bool { return t.artifacts[i].Path < t.artifacts[j].Path })
	m.Artifacts = t.artifacts
	var sums bytes.Buffer
	for _, a := range t.artifacts {
		fmt.Fprintf(&sums, "%s  %s\n", a.SHA256, a.Path)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	arts := t.artifacts
	if err := t.write("manifest.json", append(b, '\n'), 0o644, "manifest"); err != nil {
		return err
	}
	if err := t.write("SHA256SUMS", sums.Bytes(), 0o644, "checksums"); err != nil {
		return err
	}
	t.artifacts = arts // the manifest does not list itself
	return nil
}

// writeAtomic writes through a temporary file in the same directory and renames it into place,
// so a killed run leaves the previous file, never a partial one.
func writeAtomic(path string, perm os.FileMode, fill func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if err := fill(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func fileSHA256(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, fmt.Errorf("reading %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}
