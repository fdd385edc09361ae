package mirrors

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// The element shapes of primary.xml, filelists.xml and other.xml. encoding/xml matches on
// local names, so the rpm: prefix needs no namespace handling here.
type xmlVersion struct {
	Epoch string `xml:"epoch,attr"`
	Ver   string `xml:"ver,attr"`
	Rel   string `xml:"rel,attr"`
}

type xmlEntry struct {
	Name  string `xml:"name,attr"`
	Flags string `xml:"flags,attr"`
	Epoch string `xml:"epoch,attr"`
	Ver   string `xml:"ver,attr"`
	Rel   string `xml:"rel,attr"`
	Pre   string `xml:"pre,attr"`
}

type xmlEntries struct {
	Entries []xmlEntry `xml:"entry"`
}

type xmlFile struct {
	Type string `xml:"type,attr"`
	Path string `xml:",chardata"`
}

type xmlPrimaryPackage struct {
	Type     string      `xml:"type,attr"`
	Name     string      `xml:"name"`
	Arch     string      `xml:"arch"`
	Version  xmlVersion  `xml:"version"`
	Checksum xmlChecksum `xml:"checksum"`
	Summary  string      `xml:"summary"`
	Desc     string      `xml:"description"`
	Packager string      `xml:"packager"`
	URL      string      `xml:"url"`
	Time     struct {
		File  int64 `xml:"file,attr"`
		Build int64 `xml:"build,attr"`
	} `xml:"time"`
	Size struct {
		Package   int64 `xml:"package,attr"`
		Installed int64 `xml:"installed,attr"`
		Archive   int64 `xml:"archive,attr"`
	} `xml:"size"`
	Location struct {
		Href string `xml:"href,attr"`
		Base string `xml:"http://www.w3.org/XML/1998/namespace base,attr"`
	} `xml:"location"`
	Format struct {
		License     string `xml:"license"`
		Vendor      string `xml:"vendor"`
		Group       string `xml:"group"`
		BuildHost   string `xml:"buildhost"`
		SourceRPM   string `xml:"sourcerpm"`
		HeaderRange struct {
			Start int64 `xml:"start,attr"`
			End   int64 `xml:"end,attr"`
		} `xml:"header-range"`
		Provides    xmlEntries `xml:"provides"`
		Requires    xmlEntries `xml:"requires"`
		Conflicts   xmlEntries `xml:"conflicts"`
		Obsoletes   xmlEntries `xml:"obsoletes"`
		Recommends  xmlEntries `xml:"recommends"`
		Suggests    xmlEntries `xml:"suggests"`
		Supplements xmlEntries `xml:"supplements"`
		Enhances    xmlEntries `xml:"enhances"`
		Files       []xmlFile  `xml:"file"`
	} `xml:"format"`
}

// ParsePrimary streams primary.xml and calls fn for each package, in document order.
// Locations are checked; a package whose location leaves the repository is an error.
func ParsePrimary(r io.Reader, fn func(*Package) error) error {
	return eachElement(r, "package", func(d *xml.Decoder, start *xml.StartElement) error {
		var x xmlPrimaryPackage
		if err := d.DecodeElement(&x, start); err != nil {
			return err
		}
		if x.Type != "" && x.Type != "rpm" {
			return nil
		}
		p := &Package{
			Name:          x.Name,
			Arch:          x.Arch,
			EVR:           EVR{Epoch: orZero(x.Version.Epoch), Version: x.Version.Ver, Release: x.Version.Rel},
			Checksum:      normChecksum(x.Checksum),
			Location:      x.Location.Href,
			LocationBase:  x.Location.Base,
			Summary:       x.Summary,
			Description:   x.Desc,
			Packager:      x.Packager,
			URL:           x.URL,
			FileTime:      x.Time.File,
			BuildTime:     x.Time.Build,
			Size:          x.Size.Package,
			InstalledSize: x.Size.Installed,
			ArchiveSize:   x.Size.Archive,
			License:       x.Format.License,
			Vendor:        x.Format.Vendor,
			Group:         x.Format.Group,
			BuildHost:     x.Format.BuildHost,
			SourceRPM:     x.Format.SourceRPM,
			HeaderStart:   x.Format.HeaderRange.Start,
			HeaderEnd:     x.Format.HeaderRange.End,
			Provides:      deps(x.Format.Provides),
			Requires:      deps(x.Format.Requires),
			Conflicts:     deps(x.Format.Conflicts),
			Obsoletes:     deps(x.Format.Obsoletes),
			Recommends:    deps(x.Format.Recommends),
			Suggests:      deps(x.Format.Suggests),
			Supplements:   deps(x.Format.Supplements),
			Enhances:      deps(x.Format.Enhances),
		}
		for _, f := range x.Format.Files {
			p.Files = append(p.Files, File{Path: f.Path, Type: f.Type})
		}
		if p.Name == "" || p.Checksum.Value == "" {
			return fmt.Errorf("package %q at %q has no name or checksum", p.Name, p.Location)
		}
		if err := checkLocation(p.Location); err != nil {
			return fmt.Errorf("package %s: %w", p.NEVRA(), err)
		}
		return fn(p)
	})
}

// FileList is one package of filelists.xml.
type FileList struct {
	PkgID string
	Name  string
	Arch  string
	EVR
	Files []File
}

// ParseFilelists streams filelists.xml and calls fn for each package.
func ParseFilelists(r io.Reader, fn func(*FileList) error) error {
	return eachElement(r, "package", func(d *xml.Decoder, start *xml.StartElement) error {
		var x struct {
			PkgID   string     `xml:"pkgid,attr"`
			Name    string     `xml:"name,attr"`
			Arch    string     `xml:"arch,attr"`
			Version xmlVersion `xml:"version"`
			Files   []xmlFile  `xml:"file"`
		}
		if err := d.DecodeElement(&x, start); err != nil {
			return err
		}
		fl := &FileList{PkgID: x.PkgID, Name: x.Name, Arch: x.Arch,
			EVR: EVR{Epoch: orZero(x.Version.Epoch), Version: x.Version.Ver, Release: x.Version.Rel}}
		for _, f := range x.Files {
			fl.Files = append(fl.Files, File{Path: f.Path, Type: f.Type})
		}
		return fn(fl)
	})
}

// OtherData is one package of other.xml.
type OtherData struct {
	PkgID      string
	Name       string
	Arch       string
	Changelogs []Changelog
}

// ParseOther streams other.xml and calls fn for each package.
func ParseOther(r io.Reader, fn func(*OtherData) error) error {
	return eachElement(r, "package", func(d *xml.Decoder, start *xml.StartElement) error {
		var x struct {
			PkgID     string `xml:"pkgid,attr"`
			Name      string `xml:"name,attr"`
			Arch      string `xml:"arch,attr"`
			Changelog []struct {
				Author string `xml:"author,attr"`
				Date   int64  `xml:"date,attr"`
				Text   string `xml:",chardata"`
			} `xml:"changelog"`
		}
		if err := d.DecodeElement(&x, start); err != nil {
			return err
		}
		o := &OtherData{PkgID: x.PkgID, Name: x.Name, Arch: x.Arch}
		for _, c := range x.Changelog {
			o.Changelogs = append(o.Changelogs, Changelog{Author: c.Author, Date: c.Date, Text: c.Text})
		}
		return fn(o)
	})
}

// eachElement decodes a metadata document one top-level child at a time, so memory stays
// bounded by the largest package entry, not the document.
func eachElement(r io.Reader, name string, fn func(*xml.Decoder, *xml.StartElement) error) error {
	d := xml.NewDecoder(r)
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			if depth != 0 {
				return fmt.Errorf("document ends inside an element: %w", io.ErrUnexpectedEOF)
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 1 && t.Name.Local == name {
				if err := fn(d, &t); err != nil {
					return err
				}
				continue
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
}

func deps(e xmlEntries) []Dep {
	if len(e.Entries) == 0 {
		return nil
	}
	out := make([]Dep, 0, len(e.Entries))
	for _, x := range e.Entries {
		out = append(out, Dep{Name: x.Name, Flags: x.Flags,
			EVR: EVR{Epoch: x.Epoch, Version: x.Ver, Release: x.Rel},
			Pre: x.Pre == "1" || x.Pre == "true"})
	}
	return out
}

func orZero(epoch string) string {
	if epoch == "" {
		return "0"
	}
	if _, err := strconv.ParseUint(epoch, 10, 64); err != nil {
		return "0"
	}
	return epoch
}
