package iso

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf16"
)

// File is one entry of an image.
type File struct {
	Path       string // slash-separated, no leading slash
	Size       int64
	Mode       fs.FileMode
	LinkTarget string // for symlinks
	LBA        uint32 // first sector of the data
}

// Image is an open ISO 9660 image. Names come from Rock Ridge when present, else from
// Joliet, else from the 8.3 identifiers. It is read with our own record walker rather than
// go-diskfs's reader because that one exposes neither Rock Ridge modes and link targets nor
// extents, which the boot catalog and pallet checks need.
type Image struct {
	f     *os.File
	label string
	files []File
	byP   map[string]int
	vds   []volumeDescriptor
}

// Open opens an image and reads its directory tree.
func Open(name string) (*Image, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("opening ISO image: %w", err)
	}
	im := &Image{f: f, byP: map[string]int{}}
	if err := im.load(); err != nil {
		f.Close()
		return nil, fmt.Errorf("reading ISO image %s: %w", name, err)
	}
	return im, nil
}

func (im *Image) load() error {
	vds, err := readDescriptors(im.f)
	if err != nil {
		return err
	}
	im.vds = vds
	var pvd, jol *volumeDescriptor
	for i := range vds {
		switch {
		case vds[i].kind() == vdPrimary && pvd == nil:
			pvd = &vds[i]
		case vds[i].joliet() && jol == nil:
			jol = &vds[i]
		}
	}
	if pvd == nil {
		return fmt.Errorf("no primary volume descriptor: %w", ErrNotISO)
	}
	im.label = strings.TrimRight(string(pvd.raw[40:72]), " \x00")
	root, err := rootRecord(*pvd)
	if err != nil {
		return err
	}
	rr, err := hasRockRidge(im.f, root)
	if err != nil {
		return err
	}
	tree, joliet := root, false
	if !rr && jol != nil {
		if tree, err = rootRecord(*jol); err != nil {
			return err
		}
		joliet = true
	}
	err = walkTree(im.f, tree, rr, func(dir string, rec dirRecord, info rrInfo) error {
		if rec.isDot() {
			return nil
		}
		name := recordName(rec, info)
		if joliet {
			name = jolietName(rec.ident)
		}
		if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
			return fmt.Errorf("record at byte %d has an unusable name %q", rec.off, name)
		}
		f := File{Path: joinPath(dir, name), Size: int64(rec.size), LBA: rec.extent}
		switch {
		case info.hasMode:
			f.Mode = posixMode(info.mode)
		case rec.isDir():
			f.Mode = fs.ModeDir | 0o555
		default:
			f.Mode = 0o444
		}
		if f.Mode&fs.ModeSymlink != 0 {
			f.LinkTarget, f.Size = info.target, 0
		}
		if f.Mode.IsDir() {
			f.Size = 0
		}
		if _, dup := im.byP[f.Path]; dup {
			return fmt.Errorf("%s appears twice", f.Path)
		}
		im.byP[f.Path] = len(im.files)
		im.files = append(im.files, f)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(im.files, func(i, j int) bool { return im.files[i].Path < im.files[j].Path })
	for i, f := range im.files {
		im.byP[f.Path] = i
	}
	return nil
}

// hasRockRidge looks for the SUSP "SP" indicator in the root's "." record.
func hasRockRidge(r io.ReaderAt, root dirRecord) (bool, error) {
	recs, err := readDir(r, root.extent, min(root.size, sectorSize))
	if err != nil || len(recs) == 0 {
		return false, err
	}
	s := recs[0].sysUse
	return len(s) >= 7 && s[0] == 'S' && s[1] == 'P' && s[4] == 0xbe && s[5] == 0xef, nil
}

func jolietName(id []byte) string {
	u := make([]uint16, 0, len(id)/2)
	for i := 0; i+1 < len(id); i += 2 {
		u = append(u, uint16(id[i])<<8|uint16(id[i+1]))
	}
	name := string(utf16.Decode(u))
	if i := strings.LastIndexByte(name, ';'); i >= 0 {
		name = name[:i]
	}
	return name
}

func posixMode(m uint32) fs.FileMode {
	mode := fs.FileMode(m & 0o777)
	switch m & sIFMT {
	case sIFDIR:
		mode |= fs.ModeDir
	case sIFLNK:
		mode |= fs.ModeSymlink
	}
	return mode
}

// Label is the volume identifier.
func (im *Image) Label() string { return im.label }

// Files lists every file, directory and symlink, sorted by path.
func (im *Image) Files() []File { return append([]File(nil), im.files...) }

// Stat returns the entry at name (slash-separated, leading slash optional).
func (im *Image) Stat(name string) (File, bool) {
	i, ok := im.byP[strings.TrimPrefix(path.Clean("/"+name), "/")]
	if !ok {
		return File{}, false
	}
	return im.files[i], true
}

// Open returns a reader of a regular file's bytes, read straight from the image.
func (im *Image) Open(name string) (io.ReadCloser, error) {
	f, ok := im.Stat(name)
	if !ok {
		return nil, fmt.Errorf("%s is not in the image: %w", name, fs.ErrNotExist)
	}
	if !f.Mode.IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", name)
	}
	return io.NopCloser(io.NewSectionReader(im.f, int64(f.LBA)*sectorSize, f.Size)), nil
}

// Extract writes the whole tree under dst, which must not exist yet or be empty. Names that
// would leave dst are refused.
func (im *Image) Extract(ctx context.Context, dst string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return fmt.Errorf("extracting: %w", err)
	}
	buf := make([]byte, 1<<20)
	for _, f := range im.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !filepath.IsLocal(filepath.FromSlash(f.Path)) {
			return fmt.Errorf("refusing to extract %q outside %s", f.Path, dst)
		}
		target := filepath.Join(dst, filepath.FromSlash(f.Path))
		switch {
		case f.Mode.IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("extracting %s: %w", f.Path, err)
			}
		case f.Mode&fs.ModeSymlink != 0:
			if err := os.Symlink(f.LinkTarget, target); err != nil {
				return fmt.Errorf("extracting %s: %w", f.Path, err)
			}
		case f.Mode.IsRegular():
			if err := im.extractFile(f, target, buf); err != nil {
				return fmt.Errorf("extracting %s: %w", f.Path, err)
			}
		}
	}
	return nil
}

func (im *Image) extractFile(f File, target string, buf []byte) error {
	out, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, f.Mode.Perm()|0o200)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(out, io.NewSectionReader(im.f, int64(f.LBA)*sectorSize, f.Size), buf)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// Close closes the image file.
func (im *Image) Close() error { return im.f.Close() }
