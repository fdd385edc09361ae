package iso

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path"
	"strings"
)

// PalletReport is what InspectPallet found in an ISO.
type PalletReport struct {
	Label    string
	DiscInfo *DiscInfo // nil when the image has no .discinfo
	Pallets  []PalletRoot
}

// PalletRoot is one pallet of the image: the directory holding its roll-*.xml.
type PalletRoot struct {
	Root  string // slash-separated path in the image
	Roll  Roll
	Files []FileSum // every regular file under Root, sorted by path, relative to Root
	// Layout tells whether Root matches the roll's 5.x or v3 directory; -1 when neither.
	Layout Layout
}

// FileSum is a regular file with its size and SHA-256, for checking repodata against RPMS.
type FileSum struct {
	Path   string
	Size   int64
	SHA256 string
}

// InspectPallet checks a pallet ISO as `stack add pallet` would: every roll-*.xml anywhere in
// the image must parse and name a pallet (name, version, release, arch, os); any failure
// rejects the whole image. It returns each pallet root with its files and their SHA-256.
func InspectPallet(isoPath string) (*PalletReport, error) {
	im, err := Open(isoPath)
	if err != nil {
		return nil, err
	}
	defer im.Close()
	rep := &PalletReport{Label: im.Label()}
	if f, ok := im.Stat(".discinfo"); ok && f.Mode.IsRegular() {
		r, err := im.Open(".discinfo")
		if err != nil {
			return nil, err
		}
		di, err := ParseDiscInfo(r)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", isoPath, err)
		}
		rep.DiscInfo = &di
	}
	files := im.Files()
	for _, f := range files {
		base := path.Base(f.Path)
		if !f.Mode.IsRegular() || !strings.HasPrefix(base, "roll-") || !strings.HasSuffix(base, ".xml") {
			continue
		}
		r, err := im.Open(f.Path)
		if err != nil {
			return nil, err
		}
		roll, err := ParseRoll(r)
		if err != nil {
			return nil, fmt.Errorf("%s: /%s: %w; stack add pallet would reject the image", isoPath, f.Path, err)
		}
		pr := PalletRoot{Root: path.Dir(f.Path), Roll: *roll, Layout: -1}
		for _, l := range []Layout{LayoutStacki5, LayoutV3} {
			if roll.Pallet().Dir(l) == pr.Root {
				pr.Layout = l
				break
			}
		}
		if pr.Files, err = sumTree(im, files, pr.Root); err != nil {
			return nil, fmt.Errorf("%s: %w", isoPath, err)
		}
		rep.Pallets = append(rep.Pallets, pr)
	}
	if len(rep.Pallets) == 0 {
		return nil, fmt.Errorf("%s: %w", isoPath, ErrNotPallet)
	}
	return rep, nil
}

func sumTree(im *Image, files []File, root string) ([]FileSum, error) {
	prefix := root + "/"
	if root == "." {
		prefix = ""
	}
	buf := make([]byte, 1<<20)
	var out []FileSum
	for _, f := range files {
		if !f.Mode.IsRegular() || !strings.HasPrefix(f.Path, prefix) {
			continue
		}
		r, err := im.Open(f.Path)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		if _, err := io.CopyBuffer(h, r, buf); err != nil {
			return nil, fmt.Errorf("reading /%s: %w", f.Path, err)
		}
		out = append(out, FileSum{Path: strings.TrimPrefix(f.Path, prefix), Size: f.Size, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	return out, nil
}
