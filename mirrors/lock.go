package mirrors

import (
	"fmt"
	"sort"
	"strings"
)

// Locked pins one selected package: what palletizer.lock.hcl records so a later build
// fetches exactly the same files.
type Locked struct {
	Repo     string
	Name     string
	Epoch    string
	Version  string
	Release  string
	Arch     string
	Location string
	Size     int64
	SHA256   string
}

// Lock returns the pins of a selection, sorted. A repository publishing sha1 or sha512
// package checksums cannot be pinned by sha256 from its metadata, and is named in the error.
func Lock(pkgs []Package) ([]Locked, error) {
	out := make([]Locked, 0, len(pkgs))
	for _, p := range pkgs {
		if p.Checksum.Type != "sha256" {
			return nil, fmt.Errorf("package %s of repository %q has a %s checksum; lock files pin sha256 (ask the repository for sha256 metadata)", p.NEVRA(), p.Repo, p.Checksum.Type)
		}
		out = append(out, Locked{Repo: p.Repo, Name: p.Name, Epoch: orZero(p.Epoch), Version: p.Version,
			Release: p.Release, Arch: p.Arch, Location: p.Location, Size: p.Size, SHA256: p.Checksum.Value})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out, nil
}

func (l Locked) key() string {
	return l.Repo + "\x00" + l.Name + "\x00" + l.Arch + "\x00" + l.Epoch + ":" + l.Version + "-" + l.Release
}

// NEVRA names the pinned package as dnf would.
func (l Locked) NEVRA() string {
	return fmt.Sprintf("%s-%s.%s", l.Name, EVR{Epoch: l.Epoch, Version: l.Version, Release: l.Release}, l.Arch)
}

// DriftError lists pins upstream no longer serves as locked.
type DriftError struct {
	Missing []Locked // no package with this sha256 in the pinned repository
	Changed []string // same NEVRA served with other bytes (what differs)
}

func (e *DriftError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "upstream no longer serves the locked set (%d missing, %d changed); re-run lock to accept the new packages:", len(e.Missing), len(e.Changed))
	for _, l := range e.Missing {
		fmt.Fprintf(&b, "\n  %s (repository %q, sha256 %s) is gone", l.NEVRA(), l.Repo, l.SHA256)
	}
	for _, c := range e.Changed {
		fmt.Fprintf(&b, "\n  %s", c)
	}
	return b.String()
}

// SelectLocked selects exactly the pinned packages from the indexes, by repository and
// sha256, ignoring filters. Pins upstream no longer serves fail with a *DriftError naming
// each, and whether the NEVRA is gone or now has other bytes.
func SelectLocked(indexes []*Index, locked []Locked) (*Selection, error) {
	byRepo := map[string]*Index{}
	for _, ix := range indexes {
		byRepo[ix.Repo.Name] = ix
	}
	sel := &Selection{}
	drift := &DriftError{}
	for _, l := range locked {
		ix := byRepo[l.Repo]
		var found, sameName *Package
		if ix != nil {
			for i := range ix.Packages {
				p := &ix.Packages[i]
				if p.Checksum.Type == "sha256" && p.Checksum.Value == l.SHA256 {
					found = p
					break
				}
				if p.Name == l.Name && p.Arch == l.Arch && orZero(p.Epoch) == l.Epoch && p.Version == l.Version && p.Release == l.Release {
					sameName = p
				}
			}
		}
		switch {
		case found != nil:
			sel.Packages = append(sel.Packages, *found)
		case sameName != nil:
			drift.Changed = append(drift.Changed, fmt.Sprintf("%s in repository %q now has %s, locked %s",
				l.NEVRA(), l.Repo, sameName.Checksum, l.SHA256))
		default:
			drift.Missing = append(drift.Missing, l)
		}
	}
	sortSelection(sel.Packages)
	if len(drift.Missing)+len(drift.Changed) > 0 {
		return sel, drift
	}
	return sel, nil
}
