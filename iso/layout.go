package iso

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/diskfs/go-diskfs/backend"
)

// go-diskfs resolves 8.3 name collisions group by group in map order, so when two groups in one
// directory compete for the same numbered names (kernel-tools-* and kernel-debug-* both want
// KERNEL_0.10_), which group gets which numbers, and so the order of the files' data, changes
// from run to run. palletizer therefore runs Finalize over sparse placeholders of the files
// (only boot images carry their real bytes, for the boot information table), makes the 8.3
// names canonical, lays the data out in canonical order, and only then copies the real bytes
// into their extents with large buffers. The output file stays sparse while go-diskfs writes.

// sparseStorage drops go-diskfs's all-zero writes: the output file is new, so it reads as
// zeros there anyway, and the placeholder data never touches the disk.
type sparseStorage struct {
	backend.Storage
	f *os.File
}

func (s sparseStorage) Writable() (backend.WritableFile, error) { return sparseWriter{s.f}, nil }

type sparseWriter struct{ *os.File }

func (w sparseWriter) WriteAt(b []byte, off int64) (int, error) {
	if isZero(b) {
		return len(b), nil
	}
	return w.File.WriteAt(b, off)
}

func isZero(b []byte) bool {
	for len(b) >= 8 {
		if b[0]|b[1]|b[2]|b[3]|b[4]|b[5]|b[6]|b[7] != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// placeholder creates a sparse file of size bytes at p.
func placeholder(p string, size int64, exec bool) error {
	mode := os.FileMode(0o644)
	if exec {
		mode = 0o755
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if err := f.Truncate(size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

var illegal83 = regexp.MustCompile("[^A-Z0-9_]")

// shortName is the 8.3 identifier go-diskfs gives a file name before collision handling.
func shortName(name string) string {
	base, ext, _ := strings.Cut(name, ".")
	base = illegal83.ReplaceAllString(strings.ToUpper(base), "_")
	ext = illegal83.ReplaceAllString(strings.ToUpper(ext), "_")
	if len(ext) > 3 {
		ext = ext[:3]
	}
	if len(base) > 8 {
		base = base[:8]
	}
	return base + "." + ext + ";1"
}

// dataFile is one regular file record of the primary tree.
type dataFile struct {
	rec   dirRecord
	name  string // Rock Ridge name
	ident string
	path  string // path in the image, slash-separated, no leading slash
}

// canonicalize makes the 8.3 names of collision-renamed files and the order of their data
// independent of go-diskfs's map order. Within a directory, renamed files whose identifiers
// share a shape (length, extension, stem without trailing digits) swap identifiers so that
// they follow the Rock Ridge names' order; the directory's files are then given consecutive
// extents in identifier order, as go-diskfs lays them out. skip names files whose bytes are
// already in place (boot images, the boot catalog), which must not move.
func canonicalize(f *os.File, pvd volumeDescriptor, twins map[uint32]uint32, catalog string, skip map[string]bool) error {
	root, err := rootRecord(pvd)
	if err != nil {
		return err
	}
	dirs := map[string][]dataFile{}
	dirExtent := map[string]uint32{"": root.extent}
	err = walkTree(f, root, true, func(dir string, rec dirRecord, rr rrInfo) error {
		if rec.isDot() {
			return nil
		}
		p := joinPath(dir, recordName(rec, rr))
		if rec.isDir() {
			dirExtent[p] = rec.extent
			return nil
		}
		if rr.mode&sIFMT == sIFLNK || p == catalog {
			return nil // no data extent, or one outside the directory's run
		}
		dirs[dir] = append(dirs[dir], dataFile{rec: rec, name: recordName(rec, rr), ident: string(rec.ident), path: p})
		return nil
	})
	if err != nil {
		return err
	}
	for dir, files := range dirs {
		if err := canonicalizeDir(f, files, twins[dirExtent[dir]], skip); err != nil {
			return err
		}
	}
	return nil
}

func canonicalizeDir(f *os.File, files []dataFile, jolietDir uint32, skip map[string]bool) error {
	classes := map[string][]int{}
	for i, df := range files {
		if df.ident == shortName(df.name) || skip[df.path] {
			continue
		}
		base, ext, _ := strings.Cut(df.ident, ".")
		key := fmt.Sprintf("%d|%s|%s", len(df.ident), strings.TrimRight(base, "0123456789"), ext)
		classes[key] = append(classes[key], i)
	}
	changed := false
	newIdent := make([]string, len(files))
	for i, df := range files {
		newIdent[i] = df.ident
	}
	for _, members := range classes {
		idents := make([]string, len(members))
		for j, i := range members {
			idents[j] = files[i].ident
		}
		sort.Strings(idents)
		byName := append([]int(nil), members...)
		sort.Slice(byName, func(a, b int) bool { return files[byName[a]].name < files[byName[b]].name })
		for j, i := range byName {
			if newIdent[i] != idents[j] {
				newIdent[i], changed = idents[j], true
			}
		}
	}
	if !changed {
		return nil
	}
	// Lay the directory's data out again: same start, files in identifier order. Data is
	// still placeholder zeros, so only the extents in the records move.
	var start uint32 = 1<<32 - 1
	order := make([]int, 0, len(files))
	for i, df := range files {
		if df.rec.extent < start {
			start = df.rec.extent
		}
		order = append(order, i)
	}
	sort.Slice(order, func(a, b int) bool { return newIdent[order[a]] < newIdent[order[b]] })
	newExtent := make([]uint32, len(files))
	loc := start
	for _, i := range order {
		newExtent[i] = loc
		loc += uint32((int64(files[i].rec.size) + sectorSize - 1) / sectorSize)
	}
	for i, df := range files {
		if newExtent[i] != df.rec.extent && skip[df.path] {
			return fmt.Errorf("%s would have to move to make 8.3 names reproducible; rename the files whose names collide with it", df.path)
		}
	}
	for i, df := range files {
		if _, err := f.WriteAt(bothEndian32(newExtent[i]), df.rec.off+2); err != nil {
			return err
		}
		if _, err := f.WriteAt([]byte(newIdent[i]), df.rec.off+33); err != nil {
			return err
		}
	}
	if jolietDir == 0 {
		return nil
	}
	// The Joliet twin shares file extents: repoint its records by their old extent and size.
	moved := map[[2]uint32]uint32{}
	for i, df := range files {
		if df.rec.size > 0 {
			moved[[2]uint32{df.rec.extent, df.rec.size}] = newExtent[i]
		}
	}
	first := make([]byte, 34)
	if _, err := f.ReadAt(first, int64(jolietDir)*sectorSize); err != nil {
		return err
	}
	self, err := parseRecord(first, int64(jolietDir)*sectorSize)
	if err != nil {
		return err
	}
	recs, err := readDir(f, jolietDir, self.size)
	if err != nil {
		return err
	}
	for _, rec := range recs {
		if to, ok := moved[[2]uint32{rec.extent, rec.size}]; ok && !rec.isDir() {
			if _, err := f.WriteAt(bothEndian32(to), rec.off+2); err != nil {
				return err
			}
		}
	}
	return nil
}

// fillData copies every regular file's bytes from srcDir into its extent, except those in
// skip, which go-diskfs already wrote. A file whose size changed since staging is an error.
func fillData(ctx context.Context, f *os.File, pvd volumeDescriptor, srcDir string, skip map[string]bool) error {
	root, err := rootRecord(pvd)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	return walkTree(f, root, true, func(dir string, rec dirRecord, rr rrInfo) error {
		if rec.isDot() || rec.isDir() || rec.size == 0 || rr.mode&sIFMT == sIFLNK {
			return nil
		}
		p := joinPath(dir, recordName(rec, rr))
		if skip[p] {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		src := filepath.Join(srcDir, filepath.FromSlash(p))
		in, err := os.Open(src)
		if err != nil {
			return fmt.Errorf("copying into the image: %w", err)
		}
		defer in.Close()
		n, err := io.CopyBuffer(io.NewOffsetWriter(f, int64(rec.extent)*sectorSize), io.LimitReader(in, int64(rec.size)), buf)
		if err != nil {
			return fmt.Errorf("copying %s into the image: %w", src, err)
		}
		if extra, _ := in.Read(buf[:1]); extra > 0 || n != int64(rec.size) {
			return fmt.Errorf("%s changed size while the image was written (%d bytes, staged %d); write again", src, n, rec.size)
		}
		return nil
	})
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}
