package mirrors

import (
	"fmt"
	"path"
	"strings"
)

// Package is one RPM as repository metadata describes it: everything primary.xml,
// filelists.xml and other.xml carry, so a published repository repeats upstream's entries.
type Package struct {
	Name string
	Arch string
	EVR
	Checksum      Checksum // of the whole .rpm file; also the package id in filelists and other
	Location      string   // href relative to the repository root
	LocationBase  string   // xml:base, when upstream sets one
	Summary       string
	Description   string
	Packager      string
	URL           string
	FileTime      int64
	BuildTime     int64
	Size          int64 // of the .rpm file
	InstalledSize int64
	ArchiveSize   int64
	License       string
	Vendor        string
	Group         string
	BuildHost     string
	SourceRPM     string
	HeaderStart   int64
	HeaderEnd     int64

	Provides    []Dep
	Requires    []Dep
	Conflicts   []Dep
	Obsoletes   []Dep
	Recommends  []Dep
	Suggests    []Dep
	Supplements []Dep
	Enhances    []Dep

	Files      []File      // every file, from filelists.xml (or the RPM header)
	Changelogs []Changelog // from other.xml (or the RPM header)

	// Repo names the repository the package was read from (Repo.Name).
	Repo string
	// BaseURL is where Location is fetched from: an http(s) or file URL ending in "/".
	BaseURL string
	// LocalPath is the file of a package read by ScanDir; Publish links it from there
	// instead of from the store.
	LocalPath string
}

// Checksum is a digest as repository metadata writes it: type ("sha256", "sha512", "sha1")
// and lowercase hex value.
type Checksum struct {
	Type  string
	Value string
}

func (c Checksum) String() string { return c.Type + ":" + c.Value }

// Dep is one provides/requires/conflicts/... entry. Flags is the metadata spelling of the
// comparison: "", "EQ", "LT", "LE", "GT", "GE".
type Dep struct {
	Name  string
	Flags string
	EVR
	Pre bool // required before install (Requires(pre) and friends)
}

func (d Dep) String() string {
	if d.Flags == "" {
		return d.Name
	}
	ops := map[string]string{"EQ": "=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">="}
	return d.Name + " " + ops[d.Flags] + " " + d.EVR.String()
}

// File is one path a package owns. Type is "" for a regular file, "dir" or "ghost".
type File struct {
	Path string
	Type string
}

// Changelog is one changelog entry of other.xml.
type Changelog struct {
	Author string
	Date   int64
	Text   string
}

// NEVRA is name-[epoch:]version-release.arch, the way dnf names a package.
func (p *Package) NEVRA() string {
	return fmt.Sprintf("%s-%s.%s", p.Name, p.EVR.String(), p.Arch)
}

// FileName is the base name the package is published under.
func (p *Package) FileName() string { return path.Base(p.Location) }

// checkLocation refuses hrefs that would read or write outside the repository: absolute
// paths, "..", URLs, backslashes and control characters. Upstream is not trusted here.
func checkLocation(loc string) error {
	switch {
	case loc == "",
		strings.HasPrefix(loc, "/"),
		strings.Contains(loc, "\\"),
		strings.Contains(loc, ":"),
		strings.ContainsAny(loc, "\x00\r\n"):
		return fmt.Errorf("%q: %w", loc, ErrUnsafeLocation)
	}
	for _, part := range strings.Split(loc, "/") {
		if part == ".." || part == "." || part == "" {
			return fmt.Errorf("%q: %w", loc, ErrUnsafeLocation)
		}
	}
	return nil
}

// primaryFile reports whether createrepo puts a file into primary.xml as well as filelists:
// dnf resolves these paths without downloading filelists.
func primaryFile(p string) bool {
	return strings.HasPrefix(p, "/etc/") || strings.Contains(p, "bin/") || p == "/usr/lib/sendmail"
}

// depFlags maps rpm's sense bits to the metadata spelling.
func depFlags(sense int) string {
	switch sense & 0xe {
	case 2:
		return "LT"
	case 4:
		return "GT"
	case 8:
		return "EQ"
	case 10:
		return "LE"
	case 12:
		return "GE"
	}
	return ""
}
