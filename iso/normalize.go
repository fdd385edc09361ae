package iso

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"time"
)

// go-diskfs Finalize stamps time.Now() into the volume descriptors and the boot catalog's
// directory record, and copies each staged file's atime, ctime, uid, gid and link count into
// its Rock Ridge PX and TF entries. Staging by hard link changes the ctime and link count of
// every file, so none of those can be fixed before Finalize. normalize rewrites them all after
// Finalize, in place, so that the same tree and ModTime always give the same bytes. It only
// overwrites fixed-width fields; no record moves.

// finishImage turns what go-diskfs wrote over placeholders into the final image: Joliet
// records repaired, 8.3 layout made canonical, times and owners fixed, file data copied in,
// the file cut to the volume size. catalog and pinned are the boot catalog and boot image
// paths, whose bytes go-diskfs already wrote.
func finishImage(ctx context.Context, f *os.File, srcDir string, t time.Time, catalog string, pinned map[string]bool) error {
	vds, err := readDescriptors(f)
	if err != nil {
		return err
	}
	var pvd *volumeDescriptor
	var twins map[uint32]uint32
	for i, vd := range vds {
		switch {
		case vd.kind() == vdPrimary && pvd == nil:
			pvd = &vds[i]
		case vd.joliet() && pvd != nil:
			if twins, err = fixJoliet(f, *pvd, vd); err != nil {
				return fmt.Errorf("repairing the Joliet tree: %w", err)
			}
		}
	}
	if pvd == nil {
		return fmt.Errorf("no primary volume descriptor: %w", ErrNotISO)
	}
	if err := canonicalize(f, *pvd, twins, catalog, pinned); err != nil {
		return fmt.Errorf("making 8.3 names reproducible: %w", err)
	}
	if err := normalize(f, vds, t); err != nil {
		return err
	}
	skip := map[string]bool{catalog: true}
	for p := range pinned {
		skip[p] = true
	}
	if err := fillData(ctx, f, *pvd, srcDir, skip); err != nil {
		return err
	}
	blocks := binary.LittleEndian.Uint32(pvd.raw[80:84])
	return f.Truncate(int64(blocks) * sectorSize)
}

// normalize fixes every timestamp in the image to t (UTC), owner and group to 0, modes as
// mkisofs -r sets them, and the link count of non-directories to 1.
func normalize(f *os.File, vds []volumeDescriptor, t time.Time) error {
	t = t.UTC()
	short := dirDate(t)
	for _, vd := range vds {
		if vd.kind() != vdPrimary && vd.kind() != vdSupplementary {
			continue
		}
		dec := decDate(t)
		base := vd.sector * sectorSize
		// creation, modification, expiration (left unset, as mkisofs does), effective
		for i, off := range []int64{813, 830, 847, 864} {
			b := dec
			if i == 2 {
				b = unsetDecDate()
			}
			if _, err := f.WriteAt(b, base+off); err != nil {
				return fmt.Errorf("patching volume descriptor dates: %w", err)
			}
		}
		root, err := rootRecord(vd)
		if err != nil {
			return err
		}
		if _, err := f.WriteAt(short, root.off+18); err != nil {
			return fmt.Errorf("patching root record date: %w", err)
		}
		rockRidge := vd.kind() == vdPrimary
		err = walkTree(f, root, false, func(_ string, rec dirRecord, _ rrInfo) error {
			if _, err := f.WriteAt(short, rec.off+18); err != nil {
				return fmt.Errorf("patching record date at byte %d: %w", rec.off, err)
			}
			if !rockRidge {
				return nil
			}
			return normalizeSUSP(f, rec, t)
		})
		if err != nil {
			return fmt.Errorf("normalizing directory tree: %w", err)
		}
	}
	return nil
}

// normalizeSUSP rewrites the PX ownership and link count and every TF stamp of one record.
func normalizeSUSP(f *os.File, rec dirRecord, t time.Time) error {
	entries, err := readSUSP(f, rec, 0)
	if err != nil {
		return err
	}
	for _, e := range entries {
		switch e.sig {
		case "PX":
			if len(e.data) < 36 {
				continue
			}
			mode := binary.LittleEndian.Uint32(e.data[4:8])
			if _, err := f.WriteAt(bothEndian32(normalMode(mode)), e.off+4); err != nil {
				return err
			}
			if !rec.isDir() {
				if _, err := f.WriteAt(bothEndian32(1), e.off+12); err != nil {
					return err
				}
			}
			// uid and gid: the builder's account means nothing on the installed host
			if _, err := f.WriteAt(make([]byte, 16), e.off+20); err != nil {
				return err
			}
		case "TF":
			if len(e.data) < 5 {
				continue
			}
			flags := e.data[4]
			width, stamp := 7, dirDate(t)
			if flags&0x80 != 0 {
				width, stamp = 17, decDate(t)
			}
			for off := int64(5); off+int64(width) <= int64(len(e.data)); off += int64(width) {
				if _, err := f.WriteAt(stamp, e.off+off); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// POSIX file type bits as Rock Ridge PX stores them (RRIP 4.1.1).
const (
	sIFMT  = 0o170000
	sIFDIR = 0o040000
	sIFLNK = 0o120000
)

// normalMode gives the permissions `mkisofs -r` would: the source umask and owner bits mean
// nothing on an installer medium, and keeping them would make output depend on the builder.
func normalMode(mode uint32) uint32 {
	switch mode & sIFMT {
	case sIFDIR:
		return sIFDIR | 0o555
	case sIFLNK:
		return sIFLNK | 0o777
	}
	if mode&0o111 != 0 {
		return mode&sIFMT | 0o555
	}
	return mode&sIFMT | 0o444
}

// dirDate encodes a directory record date (ECMA-119 9.1.5) in UTC.
func dirDate(t time.Time) []byte {
	t = t.UTC()
	return []byte{byte(t.Year() - 1900), byte(t.Month()), byte(t.Day()), byte(t.Hour()), byte(t.Minute()), byte(t.Second()), 0}
}

// decDate encodes a volume descriptor date (ECMA-119 8.4.26.1) in UTC.
func decDate(t time.Time) []byte {
	t = t.UTC()
	s := fmt.Sprintf("%04d%02d%02d%02d%02d%02d%02d", t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond()/1e7)
	return append([]byte(s), 0)
}

// unsetDecDate is the "not specified" volume descriptor date.
func unsetDecDate() []byte {
	return append([]byte("0000000000000000"), 0)
}

func bothEndian32(v uint32) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint32(b[0:4], v)
	binary.BigEndian.PutUint32(b[4:8], v)
	return b
}
