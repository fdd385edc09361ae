// Package mirrortest builds fixture RPM repositories for tests and demos: deterministic RPMs
// (rpmpack), whole upstream repositories with signed metadata, and a fault-injecting server.
package mirrortest

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/rpmpack"
)

// RPM describes a fixture package. Relations use rpm's spelling: "name", "name >= 1.0",
// "name = 3:20.10-1". Files are absolute paths; a path ending in "/" is a directory.
type RPM struct {
	Name      string
	Epoch     uint32
	Version   string
	Release   string
	Arch      string // "x86_64" when empty
	Summary   string
	Requires  []string
	Provides  []string
	Conflicts []string
	Obsoletes []string
	Files     []string
	// PayloadSize adds a file /usr/share/<name>/payload of this many pseudo-random (so
	// incompressible) bytes, seeded by the NEVRA: same description, same bytes.
	PayloadSize int
	// BuildTime is fixed (2020-01-01 UTC) when zero, so the bytes never depend on the clock.
	BuildTime time.Time
}

// FileName is the conventional file name: name-version-release.arch.rpm.
func (r RPM) FileName() string {
	return fmt.Sprintf("%s-%s-%s.%s.rpm", r.Name, r.Version, r.Release, r.arch())
}

func (r RPM) arch() string {
	if r.Arch == "" {
		return "x86_64"
	}
	return r.Arch
}

// Build writes the package to w. Equal descriptions give equal bytes.
func (r RPM) Build(w io.Writer) error {
	bt := r.BuildTime
	if bt.IsZero() {
		bt = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	md := rpmpack.RPMMetaData{
		Name: r.Name, Version: r.Version, Release: r.Release, Arch: r.arch(), Epoch: r.Epoch,
		Summary: r.Summary, Description: "Fixture package " + r.Name + " for palletizer tests.",
		Licence: "ASL 2.0", Vendor: "palletizer fixtures", Group: "System Environment/Daemons",
		BuildHost: "fixtures.invalid", Packager: "palletizer", BuildTime: bt,
	}
	if md.Summary == "" {
		md.Summary = r.Name + " fixture"
	}
	if r.Epoch == 0 {
		md.Epoch = rpmpack.NoEpoch
	}
	for _, rel := range []struct {
		dst *rpmpack.Relations
		src []string
	}{{&md.Requires, r.Requires}, {&md.Provides, r.Provides}, {&md.Conflicts, r.Conflicts}, {&md.Obsoletes, r.Obsoletes}} {
		for _, s := range rel.src {
			if err := rel.dst.Set(strings.Join(strings.Fields(s), "")); err != nil {
				return fmt.Errorf("fixture %s: relation %q: %w", r.Name, s, err)
			}
		}
	}
	p, err := rpmpack.NewRPM(md)
	if err != nil {
		return fmt.Errorf("fixture %s: %w", r.Name, err)
	}
	files := append([]string(nil), r.Files...)
	payload := ""
	if r.PayloadSize > 0 {
		payload = "/usr/share/" + r.Name + "/payload"
		files = append(files, payload)
	}
	sort.Strings(files)
	mtime := uint32(bt.Unix())
	for _, f := range files {
		rf := rpmpack.RPMFile{Name: strings.TrimSuffix(f, "/"), Mode: 0o100644, Owner: "root", Group: "root", MTime: mtime}
		switch {
		case strings.HasSuffix(f, "/"):
			rf.Mode = 0o40755
		case strings.Contains(f, "bin/"):
			rf.Mode = 0o100755
			rf.Body = []byte("#!/bin/sh\necho " + r.Name + "\n")
		case f == payload:
			rf.Body = noise(r.FileName(), r.PayloadSize)
		default:
			rf.Body = []byte(r.Name + " " + f + "\n")
		}
		p.AddFile(rf)
	}
	return p.Write(w)
}

// WriteFile builds the package into dir/FileName() and returns the path.
func (r RPM) WriteFile(dir string) (string, error) {
	var b bytes.Buffer
	if err := r.Build(&b); err != nil {
		return "", err
	}
	name := filepath.Join(dir, r.FileName())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return name, os.WriteFile(name, b.Bytes(), 0o644)
}

func noise(seed string, n int) []byte {
	var s [32]byte
	copy(s[:], seed)
	rng := rand.NewChaCha8(s)
	b := make([]byte, n)
	rng.Read(b)
	return b
}
