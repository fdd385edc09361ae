// Package isotest builds small installer ISOs shaped like CentOS/Rocky boot media, for the
// iso package's tests and the demo, without any real distribution bits.
package isotest

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/diskfs/go-diskfs/backend/file"
	"github.com/diskfs/go-diskfs/filesystem"
	"github.com/diskfs/go-diskfs/filesystem/fat12"
	"github.com/diskfs/go-diskfs/filesystem/iso9660"
	"github.com/diskfs/go-diskfs/partition/mbr"
)

// Label is the volume label of the base ISO, as on CentOS 7 media.
const Label = "CentOS 7 x86_64"

// EscapedLabel is Label as boot menus spell it.
var EscapedLabel = strings.ReplaceAll(Label, " ", `\x20`)

// IsolinuxCfg is the BIOS menu, in the CentOS 7 format.
var IsolinuxCfg = `default vesamenu.c32
timeout 600
menu title CentOS 7

label linux
  menu label ^Install CentOS 7
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=` + EscapedLabel + ` quiet

label check
  menu label Test this ^media & install CentOS 7
  menu default
  kernel vmlinuz
  append initrd=initrd.img inst.stage2=hd:LABEL=` + EscapedLabel + ` rd.live.check quiet
`

// GrubCfg is the UEFI menu, on the ISO and inside efiboot.img, in the CentOS 7 format.
var GrubCfg = `set default="1"
set timeout=60
search --no-floppy --set=root -l '` + Label + `'

menuentry 'Install CentOS 7' --class fedora --class gnu-linux --class gnu --class os {
	linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=` + EscapedLabel + ` quiet
	initrdefi /images/pxeboot/initrd.img
}
menuentry 'Test this media & install CentOS 7' --class fedora --class gnu-linux --class gnu --class os {
	linuxefi /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=` + EscapedLabel + ` rd.live.check quiet
	initrdefi /images/pxeboot/initrd.img
}
`

// FakeIsolinux is a stand-in for isolinux.bin: four sectors of recognisable bytes with room
// for the boot information table at offset 8.
func FakeIsolinux() []byte {
	b := make([]byte, 4*2048)
	for i := range b {
		b[i] = byte(i*7 + 3)
	}
	copy(b[0:8], "\xfa\xeb\x3cISOL")
	copy(b[64:], "isolinux stand-in for palletizer tests")
	return b
}

// efibootSize is the FAT image size; real ones are a few MiB of FAT12.
const efibootSize = 2 << 20

// WriteBaseInstaller writes a tiny CentOS-7-shaped boot ISO at path: isolinux/ (BIOS El
// Torito, no emulation, boot info table, catalog isolinux/boot.cat), images/efiboot.img (FAT
// with EFI/BOOT/BOOTX64.EFI and grub.cfg, the UEFI El Torito entry), EFI/BOOT/grub.cfg,
// images/pxeboot kernel and initrd stand-ins, .discinfo, and an isohybrid-style MBR whose
// second partition (type 0xEF) points at efiboot.img. The result is not reproducible.
func WriteBaseInstaller(path string) error {
	work, err := os.MkdirTemp(filepath.Dir(path), ".isotest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	tree := filepath.Join(work, "tree")
	files := map[string][]byte{
		".discinfo":                 []byte("1604099049.948934\nCentOS 7\nx86_64\n"),
		"isolinux/isolinux.bin":     FakeIsolinux(),
		"isolinux/isolinux.cfg":     []byte(IsolinuxCfg),
		"isolinux/vmlinuz":          []byte("kernel stand-in\n"),
		"isolinux/initrd.img":       []byte("initrd stand-in\n"),
		"images/pxeboot/vmlinuz":    []byte("kernel stand-in\n"),
		"images/pxeboot/initrd.img": []byte("initrd stand-in\n"),
		"EFI/BOOT/BOOTX64.EFI":      []byte("MZ shim stand-in\n"),
		"EFI/BOOT/grub.cfg":         []byte(GrubCfg),
		"LiveOS/squashfs.img":       []byte("stage2 stand-in\n"),
	}
	for name, data := range files {
		p := filepath.Join(tree, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	if err := writeEFIBoot(filepath.Join(tree, "images", "efiboot.img")); err != nil {
		return fmt.Errorf("building efiboot.img: %w", err)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	defer out.Close()
	fsys, err := iso9660.Create(file.New(out, false), 0, 0, 2048, tree)
	if err != nil {
		return err
	}
	bios := &iso9660.ElToritoEntry{Platform: iso9660.BIOS, Emulation: iso9660.NoEmulation, BootFile: "isolinux/isolinux.bin", BootTable: true}
	bios.SetLoadSize(4)
	efi := &iso9660.ElToritoEntry{Platform: iso9660.EFI, Emulation: iso9660.NoEmulation, BootFile: "images/efiboot.img"}
	err = fsys.Finalize(iso9660.FinalizeOptions{
		RockRidge: true, VolumeIdentifier: Label,
		ElTorito: &iso9660.ElTorito{BootCatalog: "isolinux/boot.cat", Entries: []*iso9660.ElToritoEntry{bios, efi}},
	})
	if err != nil {
		return err
	}
	return writeHybridMBR(out)
}

func writeEFIBoot(p string) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Truncate(efibootSize); err != nil {
		return err
	}
	fsys, err := fat12.Create(file.New(f, false), efibootSize, 0, 512, "ANACONDA", true)
	if err != nil {
		return err
	}
	if err := fsys.Mkdir("/EFI/BOOT"); err != nil {
		return err
	}
	for name, data := range map[string]string{"/EFI/BOOT/BOOTX64.EFI": "MZ shim stand-in\n", "/EFI/BOOT/grub.cfg": GrubCfg} {
		if err := writeFAT(fsys, name, []byte(data)); err != nil {
			return err
		}
	}
	return nil
}

func writeFAT(fsys filesystem.FileSystem, name string, data []byte) error {
	w, err := fsys.OpenFile(name, os.O_CREATE|os.O_RDWR)
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	return w.Close()
}

// writeHybridMBR writes what isohybrid --uefi writes: boot code, the boot image LBA (in
// 512-byte sectors) at byte 432, a disk signature, partition 1 (active, type 0x17) over the
// whole image and partition 2 (type 0xEF) over efiboot.img.
func writeHybridMBR(f *os.File) error {
	bootLBA, efiLBA, efiSize, err := locate(f)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	code := make([]byte, 446)
	copy(code, "\x33\xed\xfa\x8e\xd5\xbc\x00\x7c isohdpfx stand-in")
	binary.LittleEndian.PutUint32(code[432:], bootLBA*4)
	binary.LittleEndian.PutUint32(code[440:], 0x5eed1234)
	if _, err := f.WriteAt(code, 0); err != nil {
		return err
	}
	t := &mbr.Table{LogicalSectorSize: 512, PhysicalSectorSize: 512, Partitions: []*mbr.Partition{
		{Bootable: true, Type: 0x17, Start: 0, Size: uint32(fi.Size() / 512)},
		{Type: mbr.EFISystem, Start: efiLBA * 4, Size: efiSize / 512},
	}}
	return t.Write(f, fi.Size())
}

// locate finds isolinux.bin and efiboot.img through the boot catalog go-diskfs wrote.
func locate(f *os.File) (bootLBA, efiLBA, efiSize uint32, err error) {
	b := make([]byte, 2048)
	for s := int64(17); s < 20; s++ {
		if _, err = f.ReadAt(b, s*2048); err != nil {
			return
		}
		if b[0] == 0 && string(b[7:30]) == "EL TORITO SPECIFICATION" {
			cat := make([]byte, 128)
			if _, err = f.ReadAt(cat, int64(binary.LittleEndian.Uint32(b[0x47:]))*2048); err != nil {
				return
			}
			bootLBA = binary.LittleEndian.Uint32(cat[32+8:])
			efiLBA = binary.LittleEndian.Uint32(cat[96+8:])
			return bootLBA, efiLBA, efibootSize, nil
		}
	}
	return 0, 0, 0, fmt.Errorf("no El Torito boot record in the base ISO")
}
