package iso

import (
	"encoding/binary"
	"fmt"
	"os"
	"slices"
)

// go-diskfs v1.9.4 writes each Joliet subdirectory record with the extent and size of the
// primary (8.3) directory instead of its Joliet twin, so Joliet readers see 8.3 names below
// the root. Both trees are laid out in the same directory order, so the k-th primary directory
// (by extent) is the twin of the k-th Joliet directory; fixJoliet repoints the records.

// fixJoliet repairs the Joliet subdirectory records of an image go-diskfs wrote.
// It returns the Joliet twin of every primary directory extent.
func fixJoliet(f *os.File, pvd, svd volumeDescriptor) (map[uint32]uint32, error) {
	proot, err := rootRecord(pvd)
	if err != nil {
		return nil, err
	}
	primary := []uint32{proot.extent}
	err = walkTree(f, proot, false, func(_ string, rec dirRecord, _ rrInfo) error {
		if rec.isDir() && !rec.isDot() {
			primary = append(primary, rec.extent)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	joliet, err := pathTableExtents(f, svd)
	if err != nil {
		return nil, err
	}
	slices.Sort(primary)
	primary = slices.Compact(primary)
	slices.Sort(joliet)
	if len(primary) != len(joliet) {
		return nil, fmt.Errorf("primary tree has %d directories, Joliet tree %d", len(primary), len(joliet))
	}
	twin := make(map[uint32]uint32, len(primary))
	isJoliet := make(map[uint32]bool, len(joliet))
	for i := range primary {
		twin[primary[i]] = joliet[i]
		isJoliet[joliet[i]] = true
	}
	size := make(map[uint32]uint32, len(joliet))
	for _, ext := range joliet {
		first := make([]byte, 34)
		if _, err := f.ReadAt(first, int64(ext)*sectorSize); err != nil {
			return nil, fmt.Errorf("reading Joliet directory at sector %d: %w", ext, err)
		}
		rec, err := parseRecord(first, int64(ext)*sectorSize)
		if err != nil {
			return nil, err
		}
		size[ext] = rec.size
	}
	for _, ext := range joliet {
		recs, err := readDir(f, ext, size[ext])
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			if !rec.isDir() || rec.isDot() || isJoliet[rec.extent] {
				continue
			}
			to, ok := twin[rec.extent]
			if !ok {
				return nil, fmt.Errorf("Joliet record at byte %d points at sector %d, no directory", rec.off, rec.extent)
			}
			if _, err := f.WriteAt(append(bothEndian32(to), bothEndian32(size[to])...), rec.off+2); err != nil {
				return nil, err
			}
		}
	}
	return twin, nil
}

// pathTableExtents lists the directory extents of a volume's type L path table.
func pathTableExtents(f *os.File, vd volumeDescriptor) ([]uint32, error) {
	n := binary.LittleEndian.Uint32(vd.raw[132:136])
	loc := binary.LittleEndian.Uint32(vd.raw[140:144])
	if n > maxDirSize {
		return nil, fmt.Errorf("path table of %d bytes is over the %d limit", n, maxDirSize)
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, int64(loc)*sectorSize); err != nil {
		return nil, fmt.Errorf("reading path table at sector %d: %w", loc, err)
	}
	var out []uint32
	for i := 0; i+8 <= len(b); {
		l := int(b[i])
		if l == 0 {
			break
		}
		out = append(out, binary.LittleEndian.Uint32(b[i+2:i+6]))
		i += 8 + l + l%2
	}
	return out, nil
}
