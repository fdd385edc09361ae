package builder

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/palletizer/palletizer/iso"
	"github.com/palletizer/palletizer/mirrors"
)

// maxPalletMetadata caps decompressed primary.xml read from a pallet.
const maxPalletMetadata = 1 << 30

// VerifyPallet checks that a pallet's repodata matches its RPMS: every package primary.xml
// lists is on the disc with that sha256 and size, and every RPM on the disc is listed.
func VerifyPallet(isoPath string, root iso.PalletRoot) error {
	img, err := iso.Open(isoPath)
	if err != nil {
		return err
	}
	defer img.Close()
	open := func(rel string) (io.ReadCloser, error) { return img.Open(path.Join(root.Root, rel)) }
	rc, err := open("repodata/repomd.xml")
	if err != nil {
		return fmt.Errorf("pallet %s has no repodata/repomd.xml: %w", root.Roll.Name, err)
	}
	md, err := mirrors.ParseRepomd(rc)
	rc.Close()
	if err != nil {
		return err
	}
	primary := md.Find("primary")
	if primary == nil {
		return fmt.Errorf("pallet %s: repomd.xml lists no primary metadata", root.Roll.Name)
	}
	onDisc := map[string]iso.FileSum{}
	for _, f := range root.Files {
		onDisc[f.Path] = f
	}
	if f, ok := onDisc[primary.Location]; !ok || f.SHA256 != primary.Checksum.Value {
		return fmt.Errorf("pallet %s: %s does not match the checksum repomd.xml gives", root.Roll.Name, primary.Location)
	}
	rc, err = open(primary.Location)
	if err != nil {
		return err
	}
	defer rc.Close()
	plain, err := mirrors.Decompress(rc, maxPalletMetadata)
	if err != nil {
		return err
	}
	defer plain.Close()
	listed := map[string]bool{}
	var problems []string
	err = mirrors.ParsePrimary(plain, func(p *mirrors.Package) error {
		listed[p.Location] = true
		f, ok := onDisc[p.Location]
		switch {
		case !ok:
			problems = append(problems, p.Location+" is listed but not on the disc")
		case p.Checksum.Type == "sha256" && f.SHA256 != p.Checksum.Value:
			problems = append(problems, p.Location+" has another sha256 than its metadata")
		case f.Size != p.Size:
			problems = append(problems, p.Location+" has another size than its metadata")
		}
		return nil
	})
	if err != nil {
		return err
	}
	for name := range onDisc {
		if strings.HasPrefix(name, "RPMS/") && strings.HasSuffix(name, ".rpm") && !listed[name] {
			problems = append(problems, name+" is on the disc but not in the metadata")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return fmt.Errorf("pallet %s: %s", root.Roll.Name, strings.Join(problems, "; "))
	}
	return nil
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
