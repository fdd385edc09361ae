package iso

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// PalletLabel is the volume label Stacki 5.x gives every pallet ISO.
const PalletLabel = "stacki"

// Pallet names a Stacki pallet.
type Pallet struct {
	Name    string
	Version string
	Release string // OS tag, e.g. redhat7
	OS      string // redhat, sles, ubuntu
	Arch    string
}

// Layout is the directory layout of a pallet inside its ISO.
type Layout int

const (
	// LayoutStacki5 is <name>/<version>/<release>/<os>/<arch>/, what Stacki 5.x reads.
	LayoutStacki5 Layout = iota
	// LayoutV3 is <name>/<version>/<os>/<arch>/, Stacki 3.x's layout without a release level.
	LayoutV3
)

// Validate checks what `stack add pallet` requires and that every part is usable as a path
// element.
func (p Pallet) Validate() error {
	for _, f := range []struct{ name, v string }{{"name", p.Name}, {"version", p.Version}, {"release", p.Release}, {"os", p.OS}, {"arch", p.Arch}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("pallet %q has no %s; Stacki rejects it", p.Name, f.name)
		}
		if f.v == "." || f.v == ".." || strings.ContainsAny(f.v, "/\\\x00") {
			return fmt.Errorf("pallet %s %q cannot be a directory name", f.name, f.v)
		}
	}
	return nil
}

// Dir is the pallet root inside the ISO, slash-separated, without a trailing slash.
func (p Pallet) Dir(l Layout) string {
	if l == LayoutV3 {
		return path.Join(p.Name, p.Version, p.OS, p.Arch)
	}
	return path.Join(p.Name, p.Version, p.Release, p.OS, p.Arch)
}

// FileName is the ISO's file name: <name>-<version>-<release>.<arch>.disk1.iso.
func (p Pallet) FileName() string {
	return fmt.Sprintf("%s-%s-%s.%s.disk1.iso", p.Name, p.Version, p.Release, p.Arch)
}

// RollFileName is the descriptor's name, roll-<name>.xml.
func (p Pallet) RollFileName() string { return "roll-" + p.Name + ".xml" }

// DiscInfo is the four-line .discinfo at the root of a pallet or installer.
type DiscInfo struct {
	Timestamp time.Time
	Name      string
	Arch      string
	Disc      int
}

// Marshal renders the file: timestamp (seconds.microseconds), name, arch, disc number.
func (d DiscInfo) Marshal() []byte {
	t := d.Timestamp.UTC()
	return fmt.Appendf(nil, "%d.%06d\n%s\n%s\n%d\n", t.Unix(), t.Nanosecond()/1000, d.Name, d.Arch, d.Disc)
}

// ParseDiscInfo reads a .discinfo; it needs the four lines and a numeric timestamp and disc.
func ParseDiscInfo(r io.Reader) (DiscInfo, error) {
	sc := bufio.NewScanner(io.LimitReader(r, 64<<10))
	var lines []string
	for sc.Scan() && len(lines) < 4 {
		lines = append(lines, strings.TrimSpace(sc.Text()))
	}
	if err := sc.Err(); err != nil {
		return DiscInfo{}, fmt.Errorf("reading .discinfo: %w", err)
	}
	if len(lines) < 4 {
		return DiscInfo{}, fmt.Errorf(".discinfo has %d lines, needs 4 (timestamp, name, arch, disc)", len(lines))
	}
	sec, frac, _ := strings.Cut(lines[0], ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return DiscInfo{}, fmt.Errorf(".discinfo timestamp %q is not a number", lines[0])
	}
	var ns int64
	if frac != "" {
		f, err := strconv.ParseFloat("0."+frac, 64)
		if err != nil {
			return DiscInfo{}, fmt.Errorf(".discinfo timestamp %q is not a number", lines[0])
		}
		ns = int64(f*1e6+0.5) * 1000
	}
	disc, err := strconv.Atoi(strings.SplitN(lines[3], ",", 2)[0])
	if err != nil {
		return DiscInfo{}, fmt.Errorf(".discinfo disc number %q is not a number", lines[3])
	}
	return DiscInfo{Timestamp: time.Unix(s, ns).UTC(), Name: lines[1], Arch: lines[2], Disc: disc}, nil
}

// StagePalletMeta writes .discinfo at root and roll-<name>.xml in the pallet directory (which
// it creates) of a tree being staged for Write, and returns that directory. The caller puts
// RPMS/, repodata/, nodes/ and graph/ there. t is the build time (SOURCE_DATE_EPOCH).
func StagePalletMeta(root string, roll Roll, l Layout, t time.Time) (string, error) {
	p := roll.Pallet()
	if err := p.Validate(); err != nil {
		return "", err
	}
	dir := filepath.Join(root, filepath.FromSlash(p.Dir(l)))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("creating pallet directory: %w", err)
	}
	di := DiscInfo{Timestamp: t, Name: p.Name, Arch: p.Arch, Disc: 1}
	if err := writeFileAtomic(filepath.Join(root, ".discinfo"), di.Marshal()); err != nil {
		return "", err
	}
	if err := writeFileAtomic(filepath.Join(dir, p.RollFileName()), roll.Marshal()); err != nil {
		return "", err
	}
	return dir, nil
}

func writeFileAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-")
	if err != nil {
		return fmt.Errorf("writing %s: %w", p, err)
	}
	_, err = io.Copy(tmp, bytes.NewReader(data))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", p, err)
	}
	return nil
}

// ErrNotPallet is returned by InspectPallet for an image without roll-*.xml.
var ErrNotPallet = errors.New("no roll-*.xml in the image; not a Stacki pallet")
