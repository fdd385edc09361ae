package iso

import (
	"github.com/diskfs/go-diskfs/filesystem/iso9660"
	"github.com/diskfs/go-diskfs/partition/mbr"
)

// Platform is the El Torito platform ID of a boot entry.
type Platform uint8

// Platforms palletizer reads and writes.
const (
	PlatformBIOS Platform = 0x00
	PlatformEFI  Platform = 0xef
)

func (p Platform) String() string {
	switch p {
	case PlatformBIOS:
		return "BIOS"
	case PlatformEFI:
		return "UEFI"
	case 0x01:
		return "PPC"
	case 0x02:
		return "Mac"
	}
	return "unknown"
}

// Emulation is the El Torito media emulation of a boot entry.
type Emulation uint8

// Emulation types (El Torito 1.0 section 2.2).
const (
	NoEmulation       Emulation = 0
	Floppy12          Emulation = 1
	Floppy144         Emulation = 2
	Floppy288         Emulation = 3
	HardDiskEmulation Emulation = 4
)

func (e Emulation) String() string {
	switch e {
	case NoEmulation:
		return "none"
	case Floppy12:
		return "fd1.2"
	case Floppy144:
		return "fd1.44"
	case Floppy288:
		return "fd2.88"
	case HardDiskEmulation:
		return "hd"
	}
	return "unknown"
}

// BootEntry is one El Torito boot image: read from a catalog or asked of Write.
type BootEntry struct {
	Platform  Platform
	Emulation Emulation
	Bootable  bool // read only: the boot indicator (0x88)
	// LoadSegment is the real-mode segment to load at; 0 means the default 0x7c0.
	LoadSegment uint16
	// LoadSize is the number of 512-byte sectors loaded; 0 on write lets go-diskfs choose
	// (4 for a no-emulation BIOS image, the whole image for EFI).
	LoadSize uint16
	// Path is the image file in the ISO; on read, empty when no file starts at LBA.
	Path string
	// LBA is where the image starts, in 2048-byte sectors (read only).
	LBA uint32
	// BootInfoTable patches the boot information table isolinux needs into the image (write).
	BootInfoTable bool
	// SystemType is the partition type byte of a hard-disk emulation image.
	SystemType byte
}

// eltoritoSpec converts our entries to go-diskfs's.
func eltoritoSpec(entries []BootEntry, catalog string) *iso9660.ElTorito {
	if catalog == "" {
		catalog = "boot.catalog"
	}
	et := &iso9660.ElTorito{BootCatalog: catalog}
	for _, e := range entries {
		de := &iso9660.ElToritoEntry{
			Platform:    iso9660.Platform(e.Platform),
			Emulation:   iso9660.Emulation(e.Emulation),
			BootFile:    e.Path,
			LoadSegment: e.LoadSegment,
			BootTable:   e.BootInfoTable,
			SystemType:  mbr.Type(e.SystemType),
		}
		if e.LoadSize != 0 {
			de.SetLoadSize(e.LoadSize)
		}
		et.Entries = append(et.Entries, de)
	}
	return et
}
