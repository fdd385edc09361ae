package iso

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrNoBootCatalog is returned by BootCatalog for an image without an El Torito boot record.
var ErrNoBootCatalog = errors.New("image has no El Torito boot catalog")

// maxCatalogSize bounds how much of the catalog is parsed: 64 entries of 32 bytes.
const maxCatalogSize = 64 * 32

// BootCatalog reads the El Torito boot catalog (El Torito 1.0 section 2) and names the file
// each entry boots when one starts at the entry's LBA.
func (im *Image) BootCatalog() ([]BootEntry, error) {
	lba, err := bootCatalogLBA(im.vds)
	if err != nil {
		return nil, err
	}
	b := make([]byte, maxCatalogSize)
	n, err := im.f.ReadAt(b, int64(lba)*sectorSize)
	if n < 64 {
		return nil, fmt.Errorf("reading boot catalog at sector %d: %w", lba, err)
	}
	entries, err := parseBootCatalog(b[:n])
	if err != nil {
		return nil, fmt.Errorf("boot catalog at sector %d: %w", lba, err)
	}
	for i := range entries {
		for _, f := range im.files {
			if f.Mode.IsRegular() && f.LBA == entries[i].LBA && f.Size > 0 {
				entries[i].Path = f.Path
				break
			}
		}
	}
	return entries, nil
}

// BootCatalogPath is the path of the catalog file, if the image lists it.
func (im *Image) BootCatalogPath() string {
	lba, err := bootCatalogLBA(im.vds)
	if err != nil {
		return ""
	}
	for _, f := range im.files {
		if f.Mode.IsRegular() && f.LBA == lba {
			return f.Path
		}
	}
	return ""
}

func bootCatalogLBA(vds []volumeDescriptor) (uint32, error) {
	for _, vd := range vds {
		if vd.kind() == vdBoot && string(vd.raw[7:30]) == "EL TORITO SPECIFICATION" {
			return binary.LittleEndian.Uint32(vd.raw[0x47:0x4b]), nil
		}
	}
	return 0, ErrNoBootCatalog
}

// parseBootCatalog parses a catalog: validation entry, initial entry, then sections.
func parseBootCatalog(b []byte) ([]BootEntry, error) {
	if len(b) < 64 {
		return nil, fmt.Errorf("catalog of %d bytes is too short", len(b))
	}
	v := b[:32]
	if v[0] != 0x01 || v[0x1e] != 0x55 || v[0x1f] != 0xaa {
		return nil, errors.New("no validation entry (header 01, key 55 AA)")
	}
	var sum uint16
	for i := 0; i < 32; i += 2 {
		sum += binary.LittleEndian.Uint16(v[i:])
	}
	if sum != 0 {
		return nil, errors.New("validation entry checksum does not sum to zero")
	}
	initial, err := parseBootEntry(b[32:64], Platform(v[1]))
	if err != nil {
		return nil, fmt.Errorf("initial entry: %w", err)
	}
	out := []BootEntry{initial}
	for off := 64; off+32 <= len(b); {
		h := b[off : off+32]
		if h[0] != 0x90 && h[0] != 0x91 {
			break // end of catalog
		}
		platform, count := Platform(h[1]), int(binary.LittleEndian.Uint16(h[2:4]))
		off += 32
		for i := 0; i < count; i++ {
			if off+32 > len(b) {
				return nil, fmt.Errorf("section of %d entries runs past the catalog", count)
			}
			e, err := parseBootEntry(b[off:off+32], platform)
			if err != nil {
				return nil, fmt.Errorf("section entry at byte %d: %w", off, err)
			}
			out = append(out, e)
			off += 32
			for off+32 <= len(b) && b[off] == 0x44 { // extension entries carry selection criteria
				off += 32
			}
		}
		if h[0] == 0x91 {
			break
		}
	}
	return out, nil
}

func parseBootEntry(e []byte, p Platform) (BootEntry, error) {
	if e[0] != 0x88 && e[0] != 0x00 {
		return BootEntry{}, fmt.Errorf("boot indicator 0x%02x is neither 88 nor 00", e[0])
	}
	em := Emulation(e[1] & 0x0f)
	if em > HardDiskEmulation {
		return BootEntry{}, fmt.Errorf("unknown emulation %d", em)
	}
	return BootEntry{
		Platform:    p,
		Emulation:   em,
		Bootable:    e[0] == 0x88,
		LoadSegment: binary.LittleEndian.Uint16(e[2:4]),
		SystemType:  e[4],
		LoadSize:    binary.LittleEndian.Uint16(e[6:8]),
		LBA:         binary.LittleEndian.Uint32(e[8:12]),
	}, nil
}
