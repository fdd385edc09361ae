package iso

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem/iso9660"
)

// MaxFileSize is the largest file go-diskfs can record: ISO 9660 sizes are 32-bit and it
// writes no multi-extent files.
const MaxFileSize = 1<<32 - 1

// MaxLabelLength is the width of the volume identifier field.
const MaxLabelLength = 32

// DefaultLabel is the volume label used when WriteOptions.VolumeLabel is empty.
const DefaultLabel = "ISOIMAGE"

// ErrFileTooLarge is wrapped by Write's error when a file is 4 GiB or more.
var ErrFileTooLarge = errors.New("file of 4 GiB or more cannot be written to an ISO 9660 image")

// WriteOptions tunes Write. The zero value writes a Rock Ridge image labelled ISOIMAGE with
// every time set to the Unix epoch, staged next to the output file.
type WriteOptions struct {
	// VolumeLabel is the volume identifier: at most 32 printable ASCII characters. Installers
	// find their medium by it (inst.stage2=hd:LABEL=...).
	VolumeLabel string
	// ModTime is written as every file, directory and volume time. Pass SOURCE_DATE_EPOCH or
	// the lock's time; the zero value means the Unix epoch.
	ModTime time.Time
	// Joliet adds a Joliet tree for Windows readers.
	Joliet bool
	// Workspace is the directory under which the tree is staged. It should be on the same
	// filesystem as the source so that files are hard-linked rather than copied. Default: the
	// output file's directory.
	Workspace string
	// Boot lists El Torito boot images (paths relative to the tree root), first entry default.
	Boot []BootEntry
	// BootCatalog is the catalog's path in the image when Boot is set (default boot.catalog).
	BootCatalog string
	// Logger receives debug lines (staging fallbacks); nil discards them.
	Logger *slog.Logger
}

func (o WriteOptions) label() (string, error) {
	if o.VolumeLabel == "" {
		return DefaultLabel, nil
	}
	return o.VolumeLabel, checkLabel(o.VolumeLabel)
}

// checkLabel refuses labels the volume identifier field cannot hold.
func checkLabel(l string) error {
	if len(l) > MaxLabelLength {
		return fmt.Errorf("volume label %q is %d characters; shorten it to at most %d", l, len(l), MaxLabelLength)
	}
	for _, c := range []byte(l) {
		if c < 0x20 || c > 0x7e {
			return fmt.Errorf("volume label %q has a byte 0x%02x; use printable ASCII only", l, c)
		}
	}
	return nil
}

func (o WriteOptions) modTime() (time.Time, error) {
	if o.ModTime.IsZero() {
		return time.Unix(0, 0).UTC(), nil
	}
	t := o.ModTime.UTC()
	if t.Year() < 1900 || t.Year() > 2155 {
		return time.Time{}, fmt.Errorf("modification time %s is outside the ISO 9660 range 1900-2155", t)
	}
	return t, nil
}

func (o WriteOptions) logger() *slog.Logger {
	if o.Logger != nil {
		return o.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// Write writes the tree under srcDir as an ISO 9660 image with Rock Ridge (and Joliet if asked)
// at outPath. The image appears at outPath only when complete; the same tree and options give
// the same bytes. Regular files, directories and symbolic links are written; any other file
// type, or a file of 4 GiB or more, is refused before anything is written.
func Write(ctx context.Context, srcDir, outPath string, opts WriteOptions) error {
	label, err := opts.label()
	if err != nil {
		return err
	}
	mtime, err := opts.modTime()
	if err != nil {
		return err
	}
	if fi, err := os.Stat(srcDir); err != nil {
		return fmt.Errorf("reading the tree to write: %w", err)
	} else if !fi.IsDir() {
		return fmt.Errorf("%s is not a directory; pass the root of the staged tree", srcDir)
	}
	wsParent := opts.Workspace
	if wsParent == "" {
		wsParent = filepath.Dir(outPath)
	}
	stage, err := os.MkdirTemp(wsParent, ".iso-stage-")
	if err != nil {
		return fmt.Errorf("creating the staging directory (set WriteOptions.Workspace to a writable directory): %w", err)
	}
	defer os.RemoveAll(stage)
	pinned := map[string]bool{}
	for _, b := range opts.Boot {
		pinned[strings.TrimPrefix(path.Clean("/"+b.Path), "/")] = true
	}
	if err := stageTree(ctx, srcDir, stage, pinned, opts.logger()); err != nil {
		return err
	}
	return writeStaged(ctx, srcDir, stage, outPath, label, mtime, pinned, opts)
}

// writeStaged runs go-diskfs over the staged placeholders, then finishes the image in place.
// go-diskfs removes the staging directory when it succeeds.
func writeStaged(ctx context.Context, srcDir, stage, outPath, label string, mtime time.Time, pinned map[string]bool, opts WriteOptions) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(outPath), "."+filepath.Base(outPath)+".tmp-")
	if err != nil {
		return fmt.Errorf("creating %s: %w", outPath, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	fsys, err := iso9660.Create(sparseStorage{file.New(tmp, false), tmp}, 0, 0, sectorSize, stage)
	if err != nil {
		return fmt.Errorf("preparing ISO image %s: %w", outPath, err)
	}
	fo := iso9660.FinalizeOptions{
		RockRidge: true,
		Joliet:    opts.Joliet,
		// Rock Ridge relocation of deep directories orders them by map iteration in go-diskfs,
		// which is not reproducible; every reader we target accepts deeper trees.
		DeepDirectories:  true,
		VolumeIdentifier: label,
	}
	catalog := ""
	if len(opts.Boot) > 0 {
		fo.ElTorito = eltoritoSpec(opts.Boot, opts.BootCatalog)
		catalog = strings.TrimPrefix(path.Clean("/"+fo.ElTorito.BootCatalog), "/")
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := fsys.Finalize(fo); err != nil {
		return fmt.Errorf("writing ISO image %s: %w", outPath, err)
	}
	if err := finishImage(ctx, tmp, srcDir, mtime, catalog, pinned); err != nil {
		return fmt.Errorf("writing ISO image %s: %w", outPath, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", outPath, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", outPath, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", outPath, err)
	}
	if err := os.Rename(tmp.Name(), outPath); err != nil {
		return fmt.Errorf("moving the finished image to %s: %w", outPath, err)
	}
	return nil
}

// stageTree mirrors src into dst for go-diskfs: directories and symlinks are recreated, regular
// files become sparse placeholders of their size (their bytes are copied in after layout),
// except the pinned boot images, which are hard-linked (copied when linking fails, e.g. across
// filesystems) because go-diskfs reads them. WalkDir goes in lexical order.
func stageTree(ctx context.Context, src, dst string, pinned map[string]bool, log *slog.Logger) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading the tree to write: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch t := d.Type(); {
		case rel == ".":
			return nil
		case t.IsDir():
			return os.Mkdir(target, 0o755)
		case t&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return fmt.Errorf("reading symlink %s: %w", p, err)
			}
			return os.Symlink(link, target)
		case t.IsRegular():
			fi, err := d.Info()
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			if fi.Size() > MaxFileSize {
				return fmt.Errorf("%s is %d bytes; split it below 4 GiB or leave it out: %w", p, fi.Size(), ErrFileTooLarge)
			}
			if pinned[filepath.ToSlash(rel)] {
				return linkOrCopy(p, target, log)
			}
			if err := placeholder(target, fi.Size(), fi.Mode()&0o111 != 0); err != nil {
				return fmt.Errorf("staging %s: %w", p, err)
			}
			return nil
		default:
			return fmt.Errorf("%s is a %s; only files, directories and symlinks go in an ISO image", p, t.String())
		}
	})
}

// linkOrCopy hard-links src to dst and falls back to a streamed copy when linking fails.
func linkOrCopy(src, dst string, log *slog.Logger) error {
	lerr := os.Link(src, dst)
	if lerr == nil {
		return nil
	}
	log.Debug("hard link failed, copying", "file", src, "err", lerr)
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("staging %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("staging %s: %w", src, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("staging %s: %w", src, err)
	}
	if fi, err := in.Stat(); err == nil && fi.Mode()&0o111 != 0 {
		if err := out.Chmod(0o755); err != nil {
			out.Close()
			return fmt.Errorf("staging %s: %w", src, err)
		}
	}
	return out.Close()
}
