package iso

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The structures below are the few ISO 9660 / SUSP pieces go-diskfs does not expose: the
// normaliser must patch dates in place and the reader must reach the boot record, so both walk
// the raw directory records. Offsets follow ECMA-119 (6th ed.) section 9 and SUSP 1.12.

const (
	sectorSize = 2048
	// firstDescriptorSector is where the volume descriptor set starts (after the system area).
	firstDescriptorSector = 16
	// maxDescriptors bounds the descriptor set so a corrupt image cannot make us read forever.
	maxDescriptors = 64
	// maxDirSize bounds one directory extent read into memory (a pallet's RPMS/ holds a few
	// thousand names, a few hundred KiB).
	maxDirSize = 64 << 20
	// maxContinuations bounds SUSP continuation chains, which a hostile image could loop.
	maxContinuations = 64
)

// Volume descriptor types (ECMA-119 8.1.1).
const (
	vdBoot          = 0
	vdPrimary       = 1
	vdSupplementary = 2
	vdTerminator    = 255
)

// ErrNotISO is returned when a file has no ISO 9660 volume descriptor set.
var ErrNotISO = errors.New("not an ISO 9660 image")

// volumeDescriptor is one 2048-byte descriptor and where it sits.
type volumeDescriptor struct {
	sector int64
	raw    []byte
}

func (v volumeDescriptor) kind() byte { return v.raw[0] }

// joliet reports whether a supplementary descriptor carries the Joliet UCS-2 escape sequences.
func (v volumeDescriptor) joliet() bool {
	if v.kind() != vdSupplementary {
		return false
	}
	esc := v.raw[88:91]
	return esc[0] == 0x25 && esc[1] == 0x2f && (esc[2] == 0x40 || esc[2] == 0x43 || esc[2] == 0x45)
}

// readDescriptors reads the volume descriptor set up to and including the terminator.
func readDescriptors(r io.ReaderAt) ([]volumeDescriptor, error) {
	var out []volumeDescriptor
	for i := int64(0); i < maxDescriptors; i++ {
		sector := firstDescriptorSector + i
		b := make([]byte, sectorSize)
		if _, err := r.ReadAt(b, sector*sectorSize); err != nil {
			return nil, fmt.Errorf("reading volume descriptor at sector %d: %w", sector, err)
		}
		if string(b[1:6]) != "CD001" {
			return nil, fmt.Errorf("sector %d has no CD001 signature: %w", sector, ErrNotISO)
		}
		out = append(out, volumeDescriptor{sector: sector, raw: b})
		if b[0] == vdTerminator {
			return out, nil
		}
	}
	return nil, fmt.Errorf("no volume descriptor set terminator in %d sectors: %w", maxDescriptors, ErrNotISO)
}

// dirRecord is one parsed directory record (ECMA-119 9.1).
type dirRecord struct {
	off    int64 // absolute offset of the record in the image
	extent uint32
	size   uint32
	flags  byte
	ident  []byte
	// sysUse is the system use field and sysUseOff its absolute offset.
	sysUse    []byte
	sysUseOff int64
}

func (d dirRecord) isDir() bool { return d.flags&0x02 != 0 }

// isDot reports the "." (0x00) and ".." (0x01) entries.
func (d dirRecord) isDot() bool { return len(d.ident) == 1 && (d.ident[0] == 0 || d.ident[0] == 1) }

// parseRecord parses the record at b[0:], which sits at absolute offset off.
func parseRecord(b []byte, off int64) (dirRecord, error) {
	n := int(b[0])
	if n < 34 || n > len(b) {
		return dirRecord{}, fmt.Errorf("directory record at byte %d has bad length %d", off, n)
	}
	idLen := int(b[32])
	if 33+idLen > n {
		return dirRecord{}, fmt.Errorf("directory record at byte %d: identifier overruns the record", off)
	}
	su := 33 + idLen
	if idLen%2 == 0 {
		su++ // padding byte keeps the system use field even-aligned
	}
	if su > n {
		su = n
	}
	return dirRecord{
		off:       off,
		extent:    binary.LittleEndian.Uint32(b[2:6]),
		size:      binary.LittleEndian.Uint32(b[10:14]),
		flags:     b[25],
		ident:     b[33 : 33+idLen],
		sysUse:    b[su:n],
		sysUseOff: off + int64(su),
	}, nil
}

// readDir reads every record of the directory whose extent and size a parent record gave.
// Records never cross a sector boundary; a zero length byte means "next sector".
func readDir(r io.ReaderAt, extent, size uint32) ([]dirRecord, error) {
	if size > maxDirSize {
		return nil, fmt.Errorf("directory at sector %d claims %d bytes, over the %d limit", extent, size, maxDirSize)
	}
	base := int64(extent) * sectorSize
	b := make([]byte, size)
	if _, err := r.ReadAt(b, base); err != nil {
		return nil, fmt.Errorf("reading directory at sector %d: %w", extent, err)
	}
	var out []dirRecord
	for i := 0; i < len(b); {
		if b[i] == 0 {
			i = (i/sectorSize + 1) * sectorSize
			continue
		}
		rec, err := parseRecord(b[i:], base+int64(i))
		if err != nil {
			return nil, err
		}
		out = append(out, rec)
		i += int(b[i])
	}
	return out, nil
}

// suspEntry is one System Use Sharing Protocol entry and its absolute offset.
type suspEntry struct {
	sig  string
	data []byte // the whole entry, header included
	off  int64
}

// readSUSP returns the SUSP entries of a record, following CE continuation areas. skip is the
// SP entry's byte count to skip at the start of each system use field.
func readSUSP(r io.ReaderAt, rec dirRecord, skip int) ([]suspEntry, error) {
	var out []suspEntry
	area, areaOff := rec.sysUse, rec.sysUseOff
	if skip > 0 && skip <= len(area) {
		area, areaOff = area[skip:], areaOff+int64(skip)
	}
	for hops := 0; ; hops++ {
		var next *[3]uint32
		for i := 0; i+4 <= len(area); {
			n := int(area[i+2])
			if n < 4 || i+n > len(area) {
				break // padding or a truncated entry ends the area
			}
			e := suspEntry{sig: string(area[i : i+2]), data: area[i : i+n], off: areaOff + int64(i)}
			out = append(out, e)
			if e.sig == "CE" && n >= 28 {
				next = &[3]uint32{
					binary.LittleEndian.Uint32(e.data[4:8]),
					binary.LittleEndian.Uint32(e.data[12:16]),
					binary.LittleEndian.Uint32(e.data[20:24]),
				}
			}
			if e.sig == "ST" {
				break
			}
			i += n
		}
		if next == nil {
			return out, nil
		}
		if hops >= maxContinuations {
			return nil, fmt.Errorf("directory record at byte %d: more than %d SUSP continuation areas", rec.off, maxContinuations)
		}
		if next[2] > sectorSize {
			return nil, fmt.Errorf("directory record at byte %d: continuation area of %d bytes", rec.off, next[2])
		}
		areaOff = int64(next[0])*sectorSize + int64(next[1])
		area = make([]byte, next[2])
		if _, err := r.ReadAt(area, areaOff); err != nil {
			return nil, fmt.Errorf("reading SUSP continuation at byte %d: %w", areaOff, err)
		}
	}
}

// rootRecord parses the root directory record embedded in a primary or supplementary
// descriptor (bytes 156-189).
func rootRecord(v volumeDescriptor) (dirRecord, error) {
	return parseRecord(v.raw[156:190], v.sector*sectorSize+156)
}

// walkTree visits every record of the tree under root depth first, in on-disk order, with the
// slash-separated path of its directory ("" for the root). With rockRidge, paths and info come
// from Rock Ridge entries. Each directory extent is visited once, so a looping or shared
// extent cannot recurse forever.
func walkTree(r io.ReaderAt, root dirRecord, rockRidge bool, visit func(dir string, rec dirRecord, rr rrInfo) error) error {
	seen := map[uint32]bool{}
	var walk func(dir dirRecord, name string) error
	walk = func(dir dirRecord, name string) error {
		if seen[dir.extent] {
			return nil
		}
		seen[dir.extent] = true
		recs, err := readDir(r, dir.extent, dir.size)
		if err != nil {
			return err
		}
		for _, rec := range recs {
			var rr rrInfo
			if rockRidge {
				if rr, err = readRR(r, rec, 0); err != nil {
					return err
				}
			}
			if err := visit(name, rec, rr); err != nil {
				return err
			}
			if rec.isDir() && !rec.isDot() {
				child := recordName(rec, rr)
				if name != "" {
					child = name + "/" + child
				}
				if err := walk(rec, child); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root, "")
}
