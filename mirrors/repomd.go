package mirrors

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
)

// Repomd is repodata/repomd.xml: the index of a repository's metadata files.
type Repomd struct {
	Revision string
	Data     []RepomdData
}

// RepomdData is one metadata file: its type ("primary", "filelists", "other", ...), where
// it is and its checksums before (Checksum, Size) and after (OpenChecksum, OpenSize)
// decompression.
type RepomdData struct {
	Type         string
	Location     string
	Checksum     Checksum
	OpenChecksum Checksum
	Size         int64
	OpenSize     int64
	Timestamp    int64
}

type xmlRepomd struct {
	XMLName  xml.Name `xml:"repomd"`
	Revision string   `xml:"revision"`
	Data     []struct {
		Type         string      `xml:"type,attr"`
		Checksum     xmlChecksum `xml:"checksum"`
		OpenChecksum xmlChecksum `xml:"open-checksum"`
		Location     struct {
			Href string `xml:"href,attr"`
		} `xml:"location"`
		Timestamp float64 `xml:"timestamp"`
		Size      int64   `xml:"size"`
		OpenSize  int64   `xml:"open-size"`
	} `xml:"data"`
}

type xmlChecksum struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

// ParseRepomd reads repomd.xml. Locations are checked: none may leave the repository.
func ParseRepomd(r io.Reader) (*Repomd, error) {
	var x xmlRepomd
	if err := xml.NewDecoder(r).Decode(&x); err != nil {
		return nil, fmt.Errorf("parsing repomd.xml: %w", err)
	}
	md := &Repomd{Revision: x.Revision}
	for _, d := range x.Data {
		if err := checkLocation(d.Location.Href); err != nil {
			return nil, fmt.Errorf("repomd.xml entry %q: %w", d.Type, err)
		}
		md.Data = append(md.Data, RepomdData{
			Type:         d.Type,
			Location:     d.Location.Href,
			Checksum:     normChecksum(d.Checksum),
			OpenChecksum: normChecksum(d.OpenChecksum),
			Size:         d.Size,
			OpenSize:     d.OpenSize,
			Timestamp:    int64(d.Timestamp),
		})
	}
	return md, nil
}

// Find returns the entry of the given type, or nil.
func (m *Repomd) Find(typ string) *RepomdData {
	for i := range m.Data {
		if m.Data[i].Type == typ {
			return &m.Data[i]
		}
	}
	return nil
}

// normChecksum spells "sha" (old yum) as "sha1", so one name means one algorithm.
func normChecksum(c xmlChecksum) Checksum {
	t := c.Type
	if t == "sha" {
		t = "sha1"
	}
	return Checksum{Type: t, Value: trimSpace(c.Value)}
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\n' || s[j-1] == '\t' || s[j-1] == '\r') {
		j--
	}
	return s[i:j]
}

// writeRepomd writes repomd.xml with entries sorted by type, as createrepo_c does.
func writeRepomd(w io.Writer, m *Repomd) error {
	data := append([]RepomdData(nil), m.Data...)
	sort.Slice(data, func(i, j int) bool { return data[i].Type < data[j].Type })
	x := newXMLWriter(w)
	x.raw("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	x.raw("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n")
	x.raw("  <revision>")
	x.text(m.Revision)
	x.raw("</revision>\n")
	for _, d := range data {
		x.raw("  <data type=\"")
		x.attr(d.Type)
		x.raw("\">\n    <checksum type=\"")
		x.attr(d.Checksum.Type)
		x.raw("\">" + d.Checksum.Value + "</checksum>\n")
		if d.OpenChecksum.Value != "" {
			x.raw("    <open-checksum type=\"")
			x.attr(d.OpenChecksum.Type)
			x.raw("\">" + d.OpenChecksum.Value + "</open-checksum>\n")
		}
		x.raw("    <location href=\"")
		x.attr(d.Location)
		x.raw("\"/>\n")
		x.raw(fmt.Sprintf("    <timestamp>%d</timestamp>\n    <size>%d</size>\n", d.Timestamp, d.Size))
		if d.OpenSize > 0 {
			x.raw(fmt.Sprintf("    <open-size>%d</open-size>\n", d.OpenSize))
		}
		x.raw("  </data>\n")
	}
	x.raw("</repomd>\n")
	return x.flush()
}
