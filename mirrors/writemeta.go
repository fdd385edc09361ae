package mirrors

import (
	"io"
)

const (
	nsCommon    = "http://linux.duke.edu/metadata/common"
	nsRPM       = "http://linux.duke.edu/metadata/rpm"
	nsFilelists = "http://linux.duke.edu/metadata/filelists"
	nsOther     = "http://linux.duke.edu/metadata/other"
)

// writePrimary writes primary.xml for pkgs, in the given order, with the given locations.
func writePrimary(w io.Writer, pkgs []*Package, locs []string) error {
	x := newXMLWriter(w)
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"" + nsCommon + "\" xmlns:rpm=\"" + nsRPM + "\" packages=\"")
	x.int(int64(len(pkgs)))
	x.raw("\">\n")
	for i, p := range pkgs {
		x.raw("<package type=\"rpm\">\n  <name>")
		x.text(p.Name)
		x.raw("</name>\n  <arch>")
		x.text(p.Arch)
		x.raw("</arch>\n  ")
		x.version(p.EVR)
		x.raw("\n  <checksum type=\"")
		x.attr(p.Checksum.Type)
		x.raw("\" pkgid=\"YES\">")
		x.text(p.Checksum.Value)
		x.raw("</checksum>\n")
		x.element("  ", "summary", p.Summary)
		x.element("  ", "description", p.Description)
		x.element("  ", "packager", p.Packager)
		x.element("  ", "url", p.URL)
		x.raw("  <time file=\"")
		x.int(p.FileTime)
		x.raw("\" build=\"")
		x.int(p.BuildTime)
		x.raw("\"/>\n  <size package=\"")
		x.int(p.Size)
		x.raw("\" installed=\"")
		x.int(p.InstalledSize)
		x.raw("\" archive=\"")
		x.int(p.ArchiveSize)
		x.raw("\"/>\n  <location href=\"")
		x.attr(locs[i])
		x.raw("\"/>\n  <format>\n")
		x.element("    ", "rpm:license", p.License)
		x.element("    ", "rpm:vendor", p.Vendor)
		x.element("    ", "rpm:group", p.Group)
		x.element("    ", "rpm:buildhost", p.BuildHost)
		x.element("    ", "rpm:sourcerpm", p.SourceRPM)
		x.raw("    <rpm:header-range start=\"")
		x.int(p.HeaderStart)
		x.raw("\" end=\"")
		x.int(p.HeaderEnd)
		x.raw("\"/>\n")
		x.deps("provides", p.Provides)
		x.deps("requires", p.Requires)
		x.deps("conflicts", p.Conflicts)
		x.deps("obsoletes", p.Obsoletes)
		x.deps("suggests", p.Suggests)
		x.deps("enhances", p.Enhances)
		x.deps("recommends", p.Recommends)
		x.deps("supplements", p.Supplements)
		for _, f := range p.Files {
			if primaryFile(f.Path) {
				x.file("    ", f)
			}
		}
		x.raw("  </format>\n</package>\n")
	}
	x.raw("</metadata>\n")
	return x.flush()
}

func writeFilelists(w io.Writer, pkgs []*Package) error {
	x := newXMLWriter(w)
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<filelists xmlns=\"" + nsFilelists + "\" packages=\"")
	x.int(int64(len(pkgs)))
	x.raw("\">\n")
	for _, p := range pkgs {
		x.pkgHeader(p)
		for _, f := range p.Files {
			x.file("  ", f)
		}
		x.raw("</package>\n")
	}
	x.raw("</filelists>\n")
	return x.flush()
}

func writeOther(w io.Writer, pkgs []*Package) error {
	x := newXMLWriter(w)
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<otherdata xmlns=\"" + nsOther + "\" packages=\"")
	x.int(int64(len(pkgs)))
	x.raw("\">\n")
	for _, p := range pkgs {
		x.pkgHeader(p)
		for _, c := range p.Changelogs {
			x.raw("  <changelog author=\"")
			x.attr(c.Author)
			x.raw("\" date=\"")
			x.int(c.Date)
			x.raw("\">")
			x.text(c.Text)
			x.raw("</changelog>\n")
		}
		x.raw("</package>\n")
	}
	x.raw("</otherdata>\n")
	return x.flush()
}

func (x *xmlWriter) pkgHeader(p *Package) {
	x.raw("<package pkgid=\"")
	x.attr(p.Checksum.Value)
	x.raw("\" name=\"")
	x.attr(p.Name)
	x.raw("\" arch=\"")
	x.attr(p.Arch)
	x.raw("\">\n  ")
	x.version(p.EVR)
	x.raw("\n")
}

func (x *xmlWriter) version(e EVR) {
	x.raw("<version epoch=\"")
	x.attr(orZero(e.Epoch))
	x.raw("\" ver=\"")
	x.attr(e.Version)
	x.raw("\" rel=\"")
	x.attr(e.Release)
	x.raw("\"/>")
}

func (x *xmlWriter) element(indent, name, value string) {
	if value == "" {
		x.raw(indent + "<" + name + "/>\n")
		return
	}
	x.raw(indent + "<" + name + ">")
	x.text(value)
	x.raw("</" + name + ">\n")
}

func (x *xmlWriter) file(indent string, f File) {
	x.raw(indent + "<file")
	if f.Type != "" {
		x.raw(" type=\"")
		x.attr(f.Type)
		x.raw("\"")
	}
	x.raw(">")
	x.text(f.Path)
	x.raw("</file>\n")
}

func (x *xmlWriter) deps(kind string, ds []Dep) {
	if len(ds) == 0 {
		return
	}
	x.raw("    <rpm:" + kind + ">\n")
	for _, d := range ds {
		x.raw("      <rpm:entry name=\"")
		x.attr(d.Name)
		x.raw("\"")
		if d.Flags != "" {
			x.raw(" flags=\"")
			x.attr(d.Flags)
			x.raw("\" epoch=\"")
			x.attr(orZero(d.Epoch))
			x.raw("\" ver=\"")
			x.attr(d.Version)
			x.raw("\"")
			if d.Release != "" {
				x.raw(" rel=\"")
				x.attr(d.Release)
				x.raw("\"")
			}
		}
		if d.Pre {
			x.raw(" pre=\"1\"")
		}
		x.raw("/>\n")
	}
	x.raw("    </rpm:" + kind + ">\n")
}
