package iso

import (
	"encoding/binary"
	"fmt"
	"os"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/partition/mbr"
)

// A hybrid ("isohybrid") ISO carries an MBR so it also boots from a USB stick: boot code that
// loads the BIOS boot image by the 512-byte LBA stored at byte 432, partition 1 over the whole
// image and, with UEFI, a type 0xEF partition over efiboot.img. Remastering moves those files,
// so the MBR is rebuilt from the base's with the new locations and size.

const (
	mbrBootLBAOffset = 432
	mbrTableOffset   = 446
)

// hybridMBR is the base image's MBR and where its boot files were.
type hybridMBR struct {
	raw     []byte // 512 bytes
	table   *mbr.Table
	bootLBA uint32 // BIOS boot image, 2048-byte sectors, in the base
	efiLBA  uint32 // UEFI boot image, in the base
}

// readHybridMBR returns the base's MBR, or nil when the image is not hybrid.
func readHybridMBR(f *os.File, bootLBA, efiLBA uint32) (*hybridMBR, error) {
	raw := make([]byte, 512)
	if _, err := f.ReadAt(raw, 0); err != nil {
		return nil, fmt.Errorf("reading the MBR: %w", err)
	}
	if raw[510] != 0x55 || raw[511] != 0xaa {
		return nil, nil
	}
	t, err := mbr.Read(file.New(f, true), 512, 512)
	if err != nil {
		return nil, nil // a signature without a table is no hybrid MBR
	}
	return &hybridMBR{raw: raw, table: t, bootLBA: bootLBA, efiLBA: efiLBA}, nil
}

// write rebuilds the MBR for the new image: the boot code and disk signature are kept, the
// boot image LBA and the partitions follow the files to their new places.
func (h *hybridMBR) write(f *os.File, bootLBA, efiLBA, efiSize uint32) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	code := append([]byte(nil), h.raw[:mbrTableOffset]...)
	if binary.LittleEndian.Uint32(code[mbrBootLBAOffset:]) == h.bootLBA*4 {
		binary.LittleEndian.PutUint32(code[mbrBootLBAOffset:], bootLBA*4)
	}
	if _, err := f.WriteAt(code, 0); err != nil {
		return fmt.Errorf("writing the MBR boot code: %w", err)
	}
	sectors := uint32((fi.Size() + 511) / 512)
	t := &mbr.Table{LogicalSectorSize: 512, PhysicalSectorSize: 512}
	for _, p := range h.table.Partitions {
		if p.Type == mbr.Empty && p.Size == 0 {
			t.Partitions = append(t.Partitions, p)
			continue
		}
		np := *p
		switch {
		case p.Start == 0:
			np.Size = sectors
		case p.Type == mbr.EFISystem && p.Start == h.efiLBA*4:
			np.Start, np.Size = efiLBA*4, (efiSize+511)/512
		}
		setCHS(&np)
		t.Partitions = append(t.Partitions, &np)
	}
	if err := t.Write(f, fi.Size()); err != nil {
		return fmt.Errorf("writing the MBR partition table: %w", err)
	}
	return nil
}

// setCHS fills the CHS fields with isohybrid's 64 heads, 32 sectors geometry, capped at the
// largest address CHS can express.
func setCHS(p *mbr.Partition) {
	chs := func(lba uint32) (c, h, s byte) {
		const heads, secs = 64, 32
		cyl := lba / (heads * secs)
		if cyl > 1023 {
			return 0xff, 0xfe, 0xff
		}
		head := (lba / secs) % heads
		sec := lba%secs + 1
		return byte(cyl), byte(head), byte(sec) | byte(cyl>>8)<<6
	}
	p.StartCylinder, p.StartHead, p.StartSector = chs(p.Start)
	end := p.Start
	if p.Size > 0 {
		end = p.Start + p.Size - 1
	}
	p.EndCylinder, p.EndHead, p.EndSector = chs(end)
}
