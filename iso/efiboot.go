package iso

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem"
	"github.com/diskfs/go-diskfs/filesystem/fat12"
	"github.com/diskfs/go-diskfs/filesystem/fat16"
	"github.com/diskfs/go-diskfs/filesystem/fat32"
)

// openFAT opens a FAT image (efiboot.img) read-write with the go-diskfs package for its FAT
// type, chosen by cluster count as the FAT specification defines it.
func openFAT(f *os.File) (filesystem.FileSystem, error) {
	bs := make([]byte, 512)
	if _, err := f.ReadAt(bs, 0); err != nil {
		return nil, fmt.Errorf("reading boot sector: %w", err)
	}
	bps := int64(binary.LittleEndian.Uint16(bs[11:13]))
	spc := int64(bs[13])
	rsvd := int64(binary.LittleEndian.Uint16(bs[14:16]))
	nfats := int64(bs[16])
	rootEnt := int64(binary.LittleEndian.Uint16(bs[17:19]))
	tot := int64(binary.LittleEndian.Uint16(bs[19:21]))
	if tot == 0 {
		tot = int64(binary.LittleEndian.Uint32(bs[32:36]))
	}
	fatSz := int64(binary.LittleEndian.Uint16(bs[22:24]))
	if fatSz == 0 {
		fatSz = int64(binary.LittleEndian.Uint32(bs[36:40]))
	}
	if bps == 0 || spc == 0 || bs[510] != 0x55 || bs[511] != 0xaa {
		return nil, fmt.Errorf("no FAT boot sector")
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rootSecs := (rootEnt*32 + bps - 1) / bps
	clusters := (tot - rsvd - nfats*fatSz - rootSecs) / spc
	b := file.New(f, false)
	switch {
	case clusters < 4085:
		return fat12.Read(b, fi.Size(), 0, bps)
	case clusters < 65525:
		return fat16.Read(b, fi.Size(), 0, bps)
	default:
		return fat32.Read(b, fi.Size(), 0, bps)
	}
}

// editFATFile rewrites one file of a FAT image in place with edit's result.
func editFATFile(imgPath, name string, edit func([]byte) ([]byte, error)) error {
	f, err := os.OpenFile(imgPath, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fsys, err := openFAT(f)
	if err != nil {
		return fmt.Errorf("%s: %w", imgPath, err)
	}
	r, err := fsys.OpenFile(name, os.O_RDONLY)
	if err != nil {
		return fmt.Errorf("%s has no %s: %w", imgPath, name, err)
	}
	old, err := io.ReadAll(io.LimitReader(r, 1<<20))
	r.Close()
	if err != nil {
		return fmt.Errorf("reading %s in %s: %w", name, imgPath, err)
	}
	updated, err := edit(old)
	if err != nil {
		return fmt.Errorf("%s in %s: %w", name, imgPath, err)
	}
	w, err := fsys.OpenFile(name, os.O_RDWR|os.O_TRUNC)
	if err != nil {
		return fmt.Errorf("rewriting %s in %s: %w", name, imgPath, err)
	}
	if _, err := w.Write(updated); err != nil {
		w.Close()
		return fmt.Errorf("rewriting %s in %s (is the image full?): %w", name, imgPath, err)
	}
	if err := w.Close(); err != nil {
		return err
	}
	return f.Sync()
}
