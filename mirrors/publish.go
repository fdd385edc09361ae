package mirrors

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// PublishOptions shape a published repository. The zero value publishes into "Packages/",
// gzip-compressed metadata, timestamps from the newest package build time.
type PublishOptions struct {
	// PackageDir is the subdirectory the packages are linked into: "Packages" when empty,
	// "RPMS" for a Stacki pallet, "." for the repository root. Packages already inside the
	// target directory (ScanDir of the same directory) stay where they are.
	PackageDir string
	// Time fixes every timestamp and the revision (unix seconds, e.g. SOURCE_DATE_EPOCH);
	// zero means the newest package build time, so equal inputs give equal bytes.
	Time int64
	// Compression of primary, filelists and other: "gz" (default), "xz", "bz2", "zst", "none".
	Compression string
	// Logger receives debug lines; nil discards them.
	Logger *slog.Logger
}

// Publish makes dir a repository of exactly pkgs: the packages (hard-linked from the store or
// from their LocalPath, copied only when a link is impossible) plus repodata/ with primary,
// filelists, other and repomd.xml (sha256). Every file is written to a temporary name and
// renamed, so a reader sees the old or the new repository, and an unchanged re-publish
// rewrites nothing. Packages in PackageDir that are no longer selected are removed.
func Publish(ctx context.Context, dir string, pkgs []Package, store *Store, opts PublishOptions) error {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	pkgDir := opts.PackageDir
	if pkgDir == "" {
		pkgDir = "Packages"
	}
	if pkgDir != "." {
		if err := checkLocation(pkgDir); err != nil {
			return fmt.Errorf("publish option PackageDir: %w", err)
		}
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(absDir, "repodata"), 0o755); err != nil {
		return fmt.Errorf("creating repository %s: %w", dir, err)
	}

	sorted := make([]*Package, len(pkgs))
	for i := range pkgs {
		sorted[i] = &pkgs[i]
	}
	sortPackages(sorted)

	locs := make([]string, len(sorted))
	byLoc := map[string]*Package{}
	wanted := map[string]bool{}
	newest := int64(0)
	for i, p := range sorted {
		if err := ctx.Err(); err != nil {
			return err
		}
		newest = max(newest, p.BuildTime)
		src, err := sourceOf(p, store)
		if err != nil {
			return err
		}
		loc := path.Join(pkgDir, p.FileName())
		if rel, err := filepath.Rel(absDir, src); err == nil && !strings.HasPrefix(rel, "..") {
			loc = filepath.ToSlash(rel) // already in the repository: index it where it is
		}
		if err := checkLocation(loc); err != nil {
			return fmt.Errorf("publishing %s: %w", p.NEVRA(), err)
		}
		if q, dup := byLoc[loc]; dup {
			if q.Checksum != p.Checksum {
				return fmt.Errorf("publishing %s: %s and %s would both be %s; select one of them", dir, q.NEVRA(), p.NEVRA(), loc)
			}
			continue
		}
		byLoc[loc] = p
		locs[i] = loc
		wanted[loc] = true
		if err := placeFile(src, filepath.Join(absDir, filepath.FromSlash(loc))); err != nil {
			return fmt.Errorf("publishing %s into %s: %w", p.NEVRA(), dir, err)
		}
	}
	// Drop duplicates (same file selected twice) so each entry appears once.
	uniq, ulocs := sorted[:0], locs[:0]
	for i, p := range sorted {
		if locs[i] != "" {
			uniq, ulocs = append(uniq, p), append(ulocs, locs[i])
		}
	}
	sorted, locs = uniq, ulocs
	if err := removeStale(filepath.Join(absDir, filepath.FromSlash(pkgDir)), pkgDir, wanted, ".rpm"); err != nil {
		return err
	}

	ts := opts.Time
	if ts == 0 {
		ts = newest
	}
	md := &Repomd{Revision: strconv.FormatInt(ts, 10)}
	writers := []struct {
		typ   string
		write func(io.Writer) error
	}{
		{"primary", func(w io.Writer) error { return writePrimary(w, sorted, locs) }},
		{"filelists", func(w io.Writer) error { return writeFilelists(w, sorted) }},
		{"other", func(w io.Writer) error { return writeOther(w, sorted) }},
	}
	keep := map[string]bool{"repomd.xml": true}
	for _, wr := range writers {
		d, err := writeMetadataFile(filepath.Join(absDir, "repodata"), wr.typ, opts.Compression, ts, wr.write)
		if err != nil {
			return fmt.Errorf("writing %s metadata of %s: %w", wr.typ, dir, err)
		}
		md.Data = append(md.Data, d)
		keep[path.Base(d.Location)] = true
	}
	var buf bytes.Buffer
	if err := writeRepomd(&buf, md); err != nil {
		return err
	}
	repomd := filepath.Join(absDir, "repodata", "repomd.xml")
	old, err := os.ReadFile(repomd)
	if err == nil && bytes.Equal(old, buf.Bytes()) {
		keep["repomd.xml.asc"] = true // still signs the same bytes
		log.Debug("repository unchanged", "dir", dir, "packages", len(sorted))
	} else if err := writeFileAtomic(repomd, buf.Bytes()); err != nil {
		return fmt.Errorf("writing %s: %w", repomd, err)
	}
	return removeUnlisted(filepath.Join(absDir, "repodata"), keep)
}

// sortPackages gives the canonical order of published metadata.
func sortPackages(ps []*Package) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if c := a.EVR.Compare(b.EVR); c != 0 {
			return c < 0
		}
		if a.Arch != b.Arch {
			return a.Arch < b.Arch
		}
		if a.Release != b.Release {
			return a.Release < b.Release
		}
		return a.Checksum.Value < b.Checksum.Value
	})
}

func sourceOf(p *Package, store *Store) (string, error) {
	if p.LocalPath != "" {
		return filepath.Abs(p.LocalPath)
	}
	if store == nil {
		return "", fmt.Errorf("package %s has no local file and no store was given to Publish", p.NEVRA())
	}
	src, err := store.Path(p.Checksum)
	if err != nil {
		return "", fmt.Errorf("package %s: %w", p.NEVRA(), err)
	}
	if _, err := os.Stat(src); err != nil {
		return "", fmt.Errorf("package %s is not in the store %s (run Fetch first): %w", p.NEVRA(), store.Root(), err)
	}
	return src, nil
}

// placeFile makes dst the same content as src: nothing when it already is the same file,
// else a hard link (a copy across devices) under a temporary name renamed over dst.
func placeFile(src, dst string) error {
	si, err := os.Stat(src)
	if err != nil {
		return err
	}
	if di, err := os.Stat(dst); err == nil && os.SameFile(si, di) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.Dir(dst), ".tmp-"+filepath.Base(dst))
	os.Remove(tmp)
	if err := os.Link(src, tmp); err != nil {
		if err := copyFile(src, tmp); err != nil {
			return err
		}
		if same, _ := sameContent(tmp, dst); same {
			return os.Remove(tmp)
		}
	}
	return os.Rename(tmp, dst)
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

func sameContent(a, b string) (bool, error) {
	ha, err := hashFile(a)
	if err != nil {
		return false, err
	}
	hb, err := hashFile(b)
	if err != nil {
		return false, err
	}
	return ha == hb, nil
}

func hashFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// removeStale deletes files with the suffix directly in dir that the repository no longer
// lists, so a package dropped from the selection leaves the published repository.
func removeStale(dir, rel string, wanted map[string]bool, suffix string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return err
	}
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), suffix) || wanted[path.Join(rel, e.Name())] {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("removing package no longer selected: %w", err)
		}
	}
	return nil
}

func removeUnlisted(dir string, keep map[string]bool) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		if !e.IsDir() && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing stale metadata: %w", err)
			}
		}
	}
	return nil
}

// writeMetadataFile writes one compressed metadata file named by its checksum, as dnf expects
// (unique names keep caches coherent). A file already there has the same bytes and is kept.
func writeMetadataFile(dir, typ, compression string, ts int64, write func(io.Writer) error) (RepomdData, error) {
	tmp, err := os.CreateTemp(dir, ".tmp-"+typ+"-*")
	if err != nil {
		return RepomdData{}, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	packed := sha256.New()
	z, suffix, err := compressor(io.MultiWriter(tmp, packed), compression)
	if err != nil {
		return RepomdData{}, err
	}
	open := &hashCounter{h: sha256.New()}
	if err := write(io.MultiWriter(z, open)); err != nil {
		return RepomdData{}, err
	}
	if err := z.Close(); err != nil {
		return RepomdData{}, err
	}
	size, err := tmp.Seek(0, io.SeekCurrent)
	if err != nil {
		return RepomdData{}, err
	}
	if err := tmp.Sync(); err != nil {
		return RepomdData{}, err
	}
	if err := tmp.Close(); err != nil {
		return RepomdData{}, err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return RepomdData{}, err
	}
	sum := hex.EncodeToString(packed.Sum(nil))
	name := sum + "-" + typ + ".xml" + suffix
	d := RepomdData{
		Type:      typ,
		Location:  "repodata/" + name,
		Checksum:  Checksum{Type: "sha256", Value: sum},
		Size:      size,
		Timestamp: ts,
	}
	if suffix != "" {
		d.OpenChecksum = Checksum{Type: "sha256", Value: hex.EncodeToString(open.h.Sum(nil))}
		d.OpenSize = open.n
	}
	final := filepath.Join(dir, name)
	if st, err := os.Stat(final); err == nil && st.Size() == size {
		return d, nil
	}
	return d, os.Rename(tmp.Name(), final)
}

type hashCounter struct {
	h hash.Hash
	n int64
}

func (c *hashCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return c.h.Write(p)
}

// writeFileAtomic writes data to a temporary file beside name and renames it into place.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
