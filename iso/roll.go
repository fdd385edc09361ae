package iso

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Roll is a Stacki pallet descriptor, roll-<name>.xml (Stacki 5.x; reference stacki.md 1).
type Roll struct {
	Name      string
	Interface string // "6.0.2" for Stacki 5.x; "3.1" from old `stack create mirror`
	Version   string
	Release   string // OS tag such as redhat7
	Arch      string
	OS        string // redhat, sles or ubuntu ("linux" reads as redhat)
	// ISO and RPM carry <iso maxsize addcomps bootable mkisofs> and <rpm rolls bin src>.
	ISO RollISO
	RPM RollRPM
	// Timestamp is <timestamp time date tz>; nil omits it.
	Timestamp *RollTimestamp
	// Color and Author are optional decorations Stacki displays.
	Color  *RollColor
	Author *RollAuthor
}

// RollISO is the <iso> element; MaxSize 0 means no disk spanning.
type RollISO struct {
	MaxSize  int
	AddComps int
	Bootable int
	Mkisofs  string
}

// RollRPM is the <rpm> element: which package kinds the pallet holds.
type RollRPM struct{ Rolls, Bin, Src int }

// RollTimestamp is the <timestamp> element, as `stack create pallet` writes it.
type RollTimestamp struct{ Time, Date, TZ string }

// RollColor is the <color> element (graph colours).
type RollColor struct{ Edge, Node string }

// RollAuthor is the <author> element.
type RollAuthor struct{ Name, Host string }

// DefaultRollInterface is the interface version Stacki 5.x writes.
const DefaultRollInterface = "6.0.2"

// NewRoll returns the roll of a pallet with Stacki's defaults for the other elements.
func NewRoll(p Pallet) Roll {
	return Roll{
		Name: p.Name, Interface: DefaultRollInterface,
		Version: p.Version, Release: p.Release, Arch: p.Arch, OS: p.OS,
		RPM: RollRPM{Bin: 1},
	}
}

// Pallet returns the pallet the roll describes.
func (r Roll) Pallet() Pallet {
	return Pallet{Name: r.Name, Version: r.Version, Release: r.Release, OS: r.OS, Arch: r.Arch}
}

// Marshal renders the roll as Stacki lays it out: one element per line, tab-indented.
func (r Roll) Marshal() []byte {
	var b bytes.Buffer
	iface := r.Interface
	if iface == "" {
		iface = DefaultRollInterface
	}
	fmt.Fprintf(&b, "<roll name=%s interface=%s>\n", attr(r.Name), attr(iface))
	if t := r.Timestamp; t != nil {
		fmt.Fprintf(&b, "\t<timestamp time=%s date=%s tz=%s/>\n", attr(t.Time), attr(t.Date), attr(t.TZ))
	}
	if c := r.Color; c != nil {
		fmt.Fprintf(&b, "\t<color edge=%s node=%s/>\n", attr(c.Edge), attr(c.Node))
	}
	if a := r.Author; a != nil {
		fmt.Fprintf(&b, "\t<author name=%s host=%s/>\n", attr(a.Name), attr(a.Host))
	}
	fmt.Fprintf(&b, "\t<info version=%s release=%s arch=%s os=%s/>\n", attr(r.Version), attr(r.Release), attr(r.Arch), attr(r.OS))
	fmt.Fprintf(&b, "\t<iso maxsize=\"%d\" addcomps=\"%d\" bootable=\"%d\" mkisofs=%s/>\n", r.ISO.MaxSize, r.ISO.AddComps, r.ISO.Bootable, attr(r.ISO.Mkisofs))
	fmt.Fprintf(&b, "\t<rpm rolls=\"%d\" bin=\"%d\" src=\"%d\"/>\n", r.RPM.Rolls, r.RPM.Bin, r.RPM.Src)
	b.WriteString("</roll>\n")
	return b.Bytes()
}

func attr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	_ = xml.EscapeText(&b, []byte(s))
	b.WriteByte('"')
	return b.String()
}

// maxRollSize bounds a roll file; real ones are a few hundred bytes.
const maxRollSize = 1 << 20

// ErrInvalidRoll is wrapped by every ParseRoll error.
var ErrInvalidRoll = errors.New("invalid roll XML")

// ParseRoll reads a roll file as strictly as `stack add pallet` validates it: one <roll>
// root with a non-empty name, exactly one <info> with non-empty version, release, arch and os,
// numeric <iso>/<rpm> flags, no unknown elements, nothing after the root.
func ParseRoll(r io.Reader) (*Roll, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRollSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading roll XML: %w", err)
	}
	if len(data) > maxRollSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrInvalidRoll, maxRollSize)
	}
	var x rollXML
	d := xml.NewDecoder(bytes.NewReader(data))
	if err := d.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidRoll, err)
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: after </roll>: %v", ErrInvalidRoll, err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return nil, fmt.Errorf("%w: text after </roll>", ErrInvalidRoll)
			}
		case xml.Comment, xml.ProcInst:
		default:
			return nil, fmt.Errorf("%w: content after </roll>", ErrInvalidRoll)
		}
	}
	return x.roll()
}

type rollXML struct {
	XMLName   xml.Name   `xml:"roll"`
	Name      string     `xml:"name,attr"`
	Interface string     `xml:"interface,attr"`
	Info      []infoXML  `xml:"info"`
	ISO       []isoXML   `xml:"iso"`
	RPM       []rpmXML   `xml:"rpm"`
	Timestamp []tsXML    `xml:"timestamp"`
	Color     []colorXML `xml:"color"`
	Author    []authXML  `xml:"author"`
	Gen       []struct{} `xml:"gen"`
	Unknown   []anyXML   `xml:",any"`
}

type infoXML struct {
	Version string `xml:"version,attr"`
	Release string `xml:"release,attr"`
	Arch    string `xml:"arch,attr"`
	OS      string `xml:"os,attr"`
}
type isoXML struct {
	MaxSize  string `xml:"maxsize,attr"`
	AddComps string `xml:"addcomps,attr"`
	Bootable string `xml:"bootable,attr"`
	Mkisofs  string `xml:"mkisofs,attr"`
}
type rpmXML struct {
	Rolls string `xml:"rolls,attr"`
	Bin   string `xml:"bin,attr"`
	Src   string `xml:"src,attr"`
}
type tsXML struct {
	Time string `xml:"time,attr"`
	Date string `xml:"date,attr"`
	TZ   string `xml:"tz,attr"`
}
type colorXML struct {
	Edge string `xml:"edge,attr"`
	Node string `xml:"node,attr"`
}
type authXML struct {
	Name string `xml:"name,attr"`
	Host string `xml:"host,attr"`
}
type anyXML struct{ XMLName xml.Name }

func (x rollXML) roll() (*Roll, error) {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidRoll, fmt.Sprintf(format, a...))
	}
	if len(x.Unknown) > 0 {
		return nil, bad("unknown element <%s> in <roll>", x.Unknown[0].XMLName.Local)
	}
	if strings.TrimSpace(x.Name) == "" {
		return nil, bad("<roll> has no name attribute")
	}
	if len(x.Info) != 1 {
		return nil, bad("<roll name=%q> needs exactly one <info>, has %d", x.Name, len(x.Info))
	}
	for _, el := range []struct {
		name string
		n    int
	}{{"iso", len(x.ISO)}, {"rpm", len(x.RPM)}, {"timestamp", len(x.Timestamp)}, {"color", len(x.Color)}, {"author", len(x.Author)}} {
		if el.n > 1 {
			return nil, bad("<%s> appears %d times", el.name, el.n)
		}
	}
	in := x.Info[0]
	for _, f := range []struct{ attr, v string }{{"version", in.Version}, {"release", in.Release}, {"arch", in.Arch}, {"os", in.OS}} {
		if strings.TrimSpace(f.v) == "" {
			return nil, bad("<info> of roll %q has no %s", x.Name, f.attr)
		}
	}
	r := &Roll{Name: x.Name, Interface: x.Interface, Version: in.Version, Release: in.Release, Arch: in.Arch, OS: in.OS}
	if r.OS == "linux" { // old rolls said linux and Stacki reads it as redhat
		r.OS = "redhat"
	}
	num := func(el, name, v string) (int, error) {
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, bad("<%s %s=%q> is not a number", el, name, v)
		}
		return n, nil
	}
	var err error
	if len(x.ISO) == 1 {
		i := x.ISO[0]
		r.ISO.Mkisofs = i.Mkisofs
		if r.ISO.MaxSize, err = num("iso", "maxsize", i.MaxSize); err != nil {
			return nil, err
		}
		if r.ISO.AddComps, err = num("iso", "addcomps", i.AddComps); err != nil {
			return nil, err
		}
		if r.ISO.Bootable, err = num("iso", "bootable", i.Bootable); err != nil {
			return nil, err
		}
	}
	if len(x.RPM) == 1 {
		p := x.RPM[0]
		if r.RPM.Rolls, err = num("rpm", "rolls", p.Rolls); err != nil {
			return nil, err
		}
		if r.RPM.Bin, err = num("rpm", "bin", p.Bin); err != nil {
			return nil, err
		}
		if r.RPM.Src, err = num("rpm", "src", p.Src); err != nil {
			return nil, err
		}
	}
	if len(x.Timestamp) == 1 {
		t := x.Timestamp[0]
		r.Timestamp = &RollTimestamp{Time: t.Time, Date: t.Date, TZ: t.TZ}
	}
	if len(x.Color) == 1 {
		r.Color = &RollColor{Edge: x.Color[0].Edge, Node: x.Color[0].Node}
	}
	if len(x.Author) == 1 {
		r.Author = &RollAuthor{Name: x.Author[0].Name, Host: x.Author[0].Host}
	}
	return r, nil
}
