package mirrors

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/cavaliergopher/rpm"
)

// ScanDir reads every *.rpm under dir (recursively, in sorted order) and returns its metadata
// entry from the RPM header, with a sha256 checksum of the file. Location is the path relative
// to dir and LocalPath the file itself, so Publish(dir, ...) indexes a directory in place as
// createrepo_c does, or links the files into another directory.
func ScanDir(ctx context.Context, dir string) ([]Package, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "repodata" {
			return fs.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".rpm") && !strings.HasPrefix(d.Name(), ".") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning %s for RPMs: %w", dir, err)
	}
	sort.Strings(files)

	pkgs := make([]Package, len(files))
	errs := make([]error, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				p, err := ReadRPM(files[i])
				if err == nil {
					rel, _ := filepath.Rel(dir, files[i])
					p.Location = filepath.ToSlash(rel)
				}
				pkgs[i], errs[i] = p, err
			}
		}()
	}
	for i := range files {
		if ctx.Err() != nil {
			break
		}
		work <- i
	}
	close(work)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return pkgs, nil
}

// ReadRPM reads one RPM file's header into a metadata entry, hashing the file as it streams
// through (the payload is never held in memory).
func ReadRPM(file string) (Package, error) {
	f, err := os.Open(file)
	if err != nil {
		return Package{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Package{}, err
	}
	h := sha256.New()
	r := io.TeeReader(f, h)
	hdr, err := rpm.Read(r)
	if err != nil {
		return Package{}, fmt.Errorf("reading RPM header of %s (is it an RPM file?): %w", file, err)
	}
	start, end, err := headerRange(f)
	if err != nil {
		return Package{}, fmt.Errorf("reading RPM header of %s: %w", file, err)
	}
	if _, err := io.Copy(h, f); err != nil {
		return Package{}, fmt.Errorf("reading %s: %w", file, err)
	}
	p := fromHeader(hdr)
	p.Checksum = Checksum{Type: "sha256", Value: hex.EncodeToString(h.Sum(nil))}
	p.Size = st.Size()
	p.HeaderStart, p.HeaderEnd = start, end
	p.Location = filepath.Base(file)
	p.LocalPath, _ = filepath.Abs(file)
	return p, nil
}

// headerRange computes the byte range of the main header as createrepo writes it into
// rpm:header-range (dnf uses it for partial downloads): after the 96-byte lead and the
// 8-aligned signature header, up to the payload. The library's HeaderRange omits the index.
func headerRange(f io.ReaderAt) (int64, int64, error) {
	var b [16]byte
	if _, err := f.ReadAt(b[:], 96); err != nil {
		return 0, 0, err
	}
	sigLen := int64(16 + 16*binary.BigEndian.Uint32(b[8:12]) + binary.BigEndian.Uint32(b[12:16]))
	start := 96 + (sigLen+7)/8*8
	if _, err := f.ReadAt(b[:], start); err != nil {
		return 0, 0, err
	}
	end := start + int64(16+16*binary.BigEndian.Uint32(b[8:12])+binary.BigEndian.Uint32(b[12:16]))
	return start, end, nil
}

// RPM header tags read directly; the library has no accessors for these.
const (
	tagFileFlags     = 1037
	tagChangelogTime = 1080
	tagChangelogName = 1081
	tagChangelogText = 1082
	tagSourcePackage = 1106
	fileFlagGhost    = 1 << 6
	senseScriptPre   = 1 << 9
	senseScriptPost  = 1 << 10
	sensePrereq      = 1 << 6
	senseRPMLib      = 1 << 24
	changelogsToKeep = 10 // as createrepo_c's default --changelog-limit
)

func fromHeader(h *rpm.Package) Package {
	p := Package{
		Name:          h.Name(),
		Arch:          h.Architecture(),
		EVR:           EVR{Epoch: fmt.Sprint(h.Epoch()), Version: h.Version(), Release: h.Release()},
		Summary:       h.Summary(),
		Description:   h.Description(),
		Packager:      h.Packager(),
		URL:           h.URL(),
		BuildTime:     h.BuildTime().Unix(),
		InstalledSize: int64(h.Size()),
		ArchiveSize:   int64(h.ArchiveSize()),
		License:       h.License(),
		Vendor:        h.Vendor(),
		BuildHost:     h.BuildHost(),
		SourceRPM:     h.SourceRPM(),
		Provides:      fromDeps(h.Provides(), false),
		Requires:      fromDeps(h.Requires(), true),
		Conflicts:     fromDeps(h.Conflicts(), false),
		Obsoletes:     fromDeps(h.Obsoletes(), false),
		Recommends:    fromDeps(h.Recommends(), false),
		Suggests:      fromDeps(h.Suggests(), false),
		Supplements:   fromDeps(h.Supplements(), false),
		Enhances:      fromDeps(h.Enhances(), false),
	}
	// A source package carries the tag; it is not published as a binary.
	if h.Header.GetTag(tagSourcePackage) != nil {
		p.Arch = "src"
	}
	p.FileTime = p.BuildTime
	if g := h.Groups(); len(g) > 0 {
		p.Group = g[0]
	}
	var flags []int64
	if t := h.Header.GetTag(tagFileFlags); t != nil {
		flags = t.Int64Slice()
	}
	for i, fi := range h.Files() {
		f := File{Path: fi.Name()}
		switch {
		case i < len(flags) && flags[i]&fileFlagGhost != 0:
			f.Type = "ghost"
		case fi.IsDir():
			f.Type = "dir"
		}
		p.Files = append(p.Files, f)
	}
	var times []int64
	var names, texts []string
	if t := h.Header.GetTag(tagChangelogTime); t != nil {
		times = t.Int64Slice()
	}
	if t := h.Header.GetTag(tagChangelogName); t != nil {
		names = t.StringSlice()
	}
	if t := h.Header.GetTag(tagChangelogText); t != nil {
		texts = t.StringSlice()
	}
	for i := 0; i < len(times) && i < len(names) && i < len(texts) && i < changelogsToKeep; i++ {
		p.Changelogs = append(p.Changelogs, Changelog{Author: names[i], Date: times[i], Text: texts[i]})
	}
	// other.xml lists the oldest first, as createrepo_c does.
	for i, j := 0, len(p.Changelogs)-1; i < j; i, j = i+1, j-1 {
		p.Changelogs[i], p.Changelogs[j] = p.Changelogs[j], p.Changelogs[i]
	}
	return p
}

// fromDeps converts header dependencies; for requires it drops rpmlib() capabilities and
// duplicates, as createrepo_c does, since no package provides them.
func fromDeps(ds []rpm.Dependency, requires bool) []Dep {
	var out []Dep
	seen := map[string]bool{}
	for _, d := range ds {
		if requires && (d.Flags()&senseRPMLib != 0 || strings.HasPrefix(d.Name(), "rpmlib(")) {
			continue
		}
		dep := Dep{Name: d.Name(), Flags: depFlags(d.Flags())}
		if dep.Flags != "" {
			dep.EVR = EVR{Epoch: fmt.Sprint(d.Epoch()), Version: d.Version(), Release: d.Release()}
		}
		if requires {
			dep.Pre = d.Flags()&(sensePrereq|senseScriptPre|senseScriptPost) != 0
		}
		key := dep.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, dep)
	}
	return out
}
