package iso

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// RemasterOptions says what to add to a base installer ISO.
type RemasterOptions struct {
	// VolumeLabel is the new image's label; the menus find the medium by it. Required.
	VolumeLabel string
	// Kickstart is the kickstart file to put at /ks.cfg. Required.
	Kickstart string
	// Extra maps a directory in the image (e.g. "repo") to a local directory to put there,
	// such as the role's package repository.
	Extra map[string]string
	// ModTime, Workspace and Logger are as in WriteOptions.
	ModTime   time.Time
	Workspace string
	Logger    *slog.Logger
}

// KickstartPath is where Remaster puts the kickstart in the image.
const KickstartPath = "/ks.cfg"

// menuFiles are the boot menus on the ISO itself that Remaster edits when present.
var menuFiles = []string{"isolinux/isolinux.cfg", "EFI/BOOT/grub.cfg", "boot/grub2/grub.cfg", "boot/grub/grub.cfg"}

// efiMenu is the grub.cfg inside the UEFI El Torito image.
const efiMenu = "/EFI/BOOT/grub.cfg"

// Remaster writes outPath: the base installer ISO with the kickstart and extra directories
// added, every boot menu (isolinux.cfg, EFI/BOOT/grub.cfg and the grub.cfg inside the UEFI
// boot image) pointed at the kickstart on the new label, the base's El Torito BIOS and UEFI
// entries kept, and its hybrid MBR rebuilt for the new layout. The base tree is extracted
// into the workspace (streamed), so it needs the base's size in free space there.
func Remaster(ctx context.Context, basePath, outPath string, opts RemasterOptions) error {
	if opts.VolumeLabel == "" || opts.Kickstart == "" {
		return fmt.Errorf("remastering %s: VolumeLabel and Kickstart are required", basePath)
	}
	if err := checkLabel(opts.VolumeLabel); err != nil {
		return err
	}
	base, err := Open(basePath)
	if err != nil {
		return err
	}
	defer base.Close()
	boot, err := base.BootCatalog()
	if err != nil {
		return fmt.Errorf("remastering %s: %w; only bootable installer ISOs can be remastered", basePath, err)
	}
	for _, e := range boot {
		if e.Path == "" {
			return fmt.Errorf("remastering %s: boot image at sector %d is not a file of the image", basePath, e.LBA)
		}
	}
	catalog := base.BootCatalogPath()
	if catalog == "" {
		catalog = "isolinux/boot.cat"
	}
	wsParent := opts.Workspace
	if wsParent == "" {
		wsParent = filepath.Dir(outPath)
	}
	work, err := os.MkdirTemp(wsParent, ".iso-remaster-")
	if err != nil {
		return fmt.Errorf("creating the remaster workspace (set RemasterOptions.Workspace): %w", err)
	}
	defer os.RemoveAll(work)
	tree := filepath.Join(work, "tree")
	if err := base.Extract(ctx, tree); err != nil {
		return fmt.Errorf("remastering %s: %w", basePath, err)
	}
	// go-diskfs writes a new catalog at the same path
	if err := os.Remove(filepath.Join(tree, filepath.FromSlash(catalog))); err != nil && !os.IsNotExist(err) {
		return err
	}
	if err := addContent(tree, opts, opts.Logger); err != nil {
		return err
	}
	if err := pointMenus(tree, boot, opts.VolumeLabel); err != nil {
		return fmt.Errorf("remastering %s: %w", basePath, err)
	}
	// Keep the base's entries; a BIOS image gets the boot info table if the base's had one.
	var entries []BootEntry
	for _, e := range boot {
		ne := BootEntry{Platform: e.Platform, Emulation: e.Emulation, LoadSegment: e.LoadSegment, LoadSize: e.LoadSize, Path: e.Path, SystemType: e.SystemType}
		if e.Platform == PlatformBIOS && e.Emulation == NoEmulation {
			ne.BootInfoTable = hasBootInfoTable(base, e)
		}
		if e.Platform == PlatformEFI {
			ne.LoadSize = 0 // recomputed from the edited image's size
		}
		entries = append(entries, ne)
	}
	hyb, err := readHybridMBR(base.f, boot[0].LBA, efiLBA(boot))
	if err != nil {
		return err
	}
	tmpOut := filepath.Join(work, "out.iso")
	wo := WriteOptions{VolumeLabel: opts.VolumeLabel, ModTime: opts.ModTime, Workspace: work, Boot: entries, BootCatalog: catalog, Logger: opts.Logger}
	if err := Write(ctx, tree, tmpOut, wo); err != nil {
		return err
	}
	if err := finishRemaster(tmpOut, hyb); err != nil {
		return fmt.Errorf("remastering %s: %w", basePath, err)
	}
	if err := os.Rename(tmpOut, outPath); err != nil {
		return fmt.Errorf("moving the remastered image to %s (keep Workspace on the output's filesystem): %w", outPath, err)
	}
	return nil
}

func efiLBA(boot []BootEntry) uint32 {
	for _, e := range boot {
		if e.Platform == PlatformEFI {
			return e.LBA
		}
	}
	return 0
}

// hasBootInfoTable reports whether the base's boot image carries a boot information table:
// its bytes 8-11 hold the primary volume descriptor's sector, 16.
func hasBootInfoTable(im *Image, e BootEntry) bool {
	b := make([]byte, 16)
	if _, err := im.f.ReadAt(b, int64(e.LBA)*sectorSize); err != nil {
		return false
	}
	return binary.LittleEndian.Uint32(b[8:12]) == firstDescriptorSector && binary.LittleEndian.Uint32(b[12:16]) == e.LBA
}

// addContent copies the kickstart and links the extra directories into the tree.
func addContent(tree string, opts RemasterOptions, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ks := filepath.Join(tree, filepath.FromSlash(strings.TrimPrefix(KickstartPath, "/")))
	os.Remove(ks)
	if err := linkOrCopy(opts.Kickstart, ks, log); err != nil {
		return fmt.Errorf("adding the kickstart: %w", err)
	}
	names := make([]string, 0, len(opts.Extra))
	for n := range opts.Extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		rel := path.Clean(n)
		if !filepath.IsLocal(filepath.FromSlash(rel)) || rel == "." {
			return fmt.Errorf("extra directory %q must be a relative path inside the image", n)
		}
		dst := filepath.Join(tree, filepath.FromSlash(rel))
		if _, err := os.Lstat(dst); err == nil {
			return fmt.Errorf("extra directory %q already exists in the base image; choose another name", n)
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Mkdir(dst, 0o755); err != nil {
			return err
		}
		if err := stageTreeLinks(opts.Extra[n], dst, log); err != nil {
			return err
		}
	}
	return nil
}

// stageTreeLinks mirrors src into dst by hard links (copies across filesystems).
func stageTreeLinks(src, dst string, log *slog.Logger) error {
	return filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading extra directory: %w", err)
		}
		rel, err := filepath.Rel(src, p)
		if err != nil || rel == "." {
			return err
		}
		target := filepath.Join(dst, rel)
		switch t := d.Type(); {
		case t.IsDir():
			return os.Mkdir(target, 0o755)
		case t&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(l, target)
		case t.IsRegular():
			return linkOrCopy(p, target, log)
		}
		return fmt.Errorf("%s is a %s; only files, directories and symlinks go in an ISO image", p, d.Type())
	})
}

// pointMenus edits the menus on the ISO and the grub.cfg inside the UEFI boot image.
func pointMenus(tree string, boot []BootEntry, label string) error {
	edit := func(b []byte) ([]byte, error) {
		out, _, err := pointMenu(b, label, KickstartPath)
		return out, err
	}
	found := 0
	for _, m := range menuFiles {
		p := filepath.Join(tree, filepath.FromSlash(m))
		b, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		out, err := edit(b)
		if err != nil {
			return fmt.Errorf("/%s: %w", m, err)
		}
		// the extracted file may be a fresh copy; write a new inode either way
		if err := os.Remove(p); err != nil {
			return err
		}
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return err
		}
		found++
	}
	if found == 0 {
		return fmt.Errorf("no boot menu found (looked for %s)", strings.Join(menuFiles, ", "))
	}
	for _, e := range boot {
		if e.Platform != PlatformEFI {
			continue
		}
		if err := editFATFile(filepath.Join(tree, filepath.FromSlash(e.Path)), efiMenu, edit); err != nil {
			return err
		}
	}
	return nil
}

// finishRemaster rebuilds the hybrid MBR for the new layout.
func finishRemaster(isoPath string, hyb *hybridMBR) error {
	if hyb == nil {
		return nil
	}
	f, err := os.OpenFile(isoPath, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	{
		im, err := Open(isoPath)
		if err != nil {
			return err
		}
		boot, err := im.BootCatalog()
		im.Close()
		if err != nil {
			return err
		}
		var efiSize uint32
		for _, e := range boot {
			if e.Platform == PlatformEFI {
				if fi, ok := im.Stat(e.Path); ok {
					efiSize = uint32(fi.Size)
				}
			}
		}
		if err := hyb.write(f, boot[0].LBA, efiLBA(boot), efiSize); err != nil {
			return err
		}
	}
	return f.Sync()
}
