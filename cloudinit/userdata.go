package cloudinit

// EC2 packaging: multipart MIME when a script must run under another interpreter, gzip when the
// document exceeds the budget, and an error naming what is large when even that does not fit.

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/palletizer/palletizer/profile"
)

// DefaultLimit is EC2's user-data limit in bytes, counted before base64 encoding.
const DefaultLimit = 16384

// Multipart chooses between a plain #cloud-config and a multipart MIME document.
type Multipart int

const (
	// MultipartAuto uses MIME only when a script runs under a non-shell interpreter; it then
	// travels as its own text/x-shellscript part (cloud-init runs it by its #! line) instead of
	// being written by write_files and run from runcmd.
	MultipartAuto Multipart = iota
	// MultipartAlways always writes MIME: the cloud-config and one part per final-stage script.
	MultipartAlways
	// MultipartNever always writes a single #cloud-config.
	MultipartNever
)

// Gzip chooses compression.
type Gzip int

const (
	// GzipAuto compresses only when the raw document exceeds the limit.
	GzipAuto Gzip = iota
	GzipAlways
	GzipNever
)

// Payload is the user-data an instance is launched with. (Go allows one name per package, so the
// type is Payload and the function producing it UserData.)
type Payload struct {
	// Data is the user-data: a #cloud-config, a MIME document, or either gzip-compressed. It
	// carries the root password hash when the profile has one: write it with mode 0600.
	Data []byte
	// ContentType is "text/cloud-config" or "multipart/mixed" (of the document before gzip).
	ContentType string
	// Gzipped says Data is gzip-compressed; cloud-init detects and decompresses it.
	Gzipped bool
	// RawSize is the size of the document before compression.
	RawSize int
}

// Contributor is one part of a host's user-data and its size in bytes before compression.
type Contributor struct {
	Name  string // "file /etc/zookeeper/conf/zoo.cfg", "script install-post at site/x.xml:12"
	Bytes int
}

type contributor = Contributor

// BudgetError says the user-data of a host does not fit the limit even compressed. Callers can
// errors.As it to report the contributors.
type BudgetError struct {
	Host    string
	Size    int // bytes after compression (or raw, when gzip was refused)
	Limit   int
	Gzipped bool
	// Largest lists the biggest contributors, largest first.
	Largest []Contributor
}

func (e *BudgetError) Error() string {
	form := "raw"
	if e.Gzipped {
		form = "gzip-compressed"
	}
	var parts []string
	for _, c := range e.Largest {
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", c.Name, c.Bytes))
	}
	return fmt.Sprintf("user-data of host %q is %d bytes %s, over the %d-byte limit; largest parts: %s; "+
		"ship large files in a package of the mirror or fetch them from the site at boot",
		e.Host, e.Size, form, e.Limit, strings.Join(parts, ", "))
}

// UserData renders p for an instance launch: a #cloud-config, or a MIME multipart document when
// Options.Multipart asks for it (see MultipartAuto), gzip-compressed when it exceeds the limit
// (GzipAuto). It returns a *BudgetError when the final form exceeds the limit. Output is
// byte-for-byte deterministic: the MIME boundary is derived from the content and gzip carries no
// name or time.
func UserData(p *profile.Profile, opts Options) (Payload, error) {
	d, err := build(p, opts)
	if err != nil {
		return Payload{}, err
	}
	mime := opts.Multipart == MultipartAlways
	if opts.Multipart == MultipartAuto {
		for _, a := range d.actions {
			mime = mime || !a.shell
		}
	}
	var raw []byte
	ud := Payload{ContentType: "text/cloud-config"}
	if mime {
		raw, err = mimeDocument(d)
		ud.ContentType = "multipart/mixed"
	} else {
		raw, err = Render(p, opts)
	}
	if err != nil {
		return Payload{}, err
	}
	ud.RawSize = len(raw)
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	ud.Data = raw
	if opts.Gzip == GzipAlways || opts.Gzip == GzipAuto && len(raw) > limit {
		if ud.Data, err = compress(raw); err != nil {
			return Payload{}, fmt.Errorf("compressing user-data of host %q: %w", p.Host, err)
		}
		ud.Gzipped = true
	}
	if len(ud.Data) > limit {
		largest := append([]Contributor(nil), d.parts...)
		sort.SliceStable(largest, func(i, j int) bool { return largest[i].Bytes > largest[j].Bytes })
		if len(largest) > 5 {
			largest = largest[:5]
		}
		return Payload{}, &BudgetError{Host: p.Host, Size: len(ud.Data), Limit: limit, Gzipped: ud.Gzipped, Largest: largest}
	}
	return ud, nil
}

// mimeDocument writes the cloud-config (without its runcmd) and every final-stage action as a
// text/x-shellscript part. cloud-init's scripts-user runs the parts in file-name order after
// packages and deferred files, so the names are numbered.
func mimeDocument(d *document) ([]byte, error) {
	cfgBytes, err := marshal(d.cfg)
	if err != nil {
		return nil, err
	}
	type part struct{ ctype, name, body string }
	parts := []part{{"text/cloud-config", "cloud-config.yaml", string(cfgBytes)}}
	for i, a := range d.actions {
		body := a.body
		if a.shell {
			body = "#!/bin/sh\n" + body
			if a.interp[0] != "sh" {
				body = "#!" + strings.Join(a.interp, " ") + "\n" + a.body
			}
		}
		parts = append(parts, part{"text/x-shellscript", fmt.Sprintf("%03d-%s", i+1, a.name), body})
	}
	h := sha256.New()
	for _, pt := range parts {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s", pt.ctype, pt.name, len(pt.body), pt.body)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	boundary := "palletizer-" + sum[:32]
	for i := 0; ; i++ {
		clash := false
		for _, pt := range parts {
			clash = clash || strings.Contains(pt.body, boundary)
		}
		if !clash {
			break
		}
		boundary = fmt.Sprintf("palletizer-%s-%d", sum[:32], i)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\nMIME-Version: 1.0\n", boundary)
	for _, pt := range parts {
		fmt.Fprintf(&b, "\n--%s\nContent-Type: %s; charset=\"utf-8\"\nMIME-Version: 1.0\n"+
			"Content-Transfer-Encoding: 8bit\nContent-Disposition: attachment; filename=\"%s\"\n\n", boundary, pt.ctype, pt.name)
		b.WriteString(pt.body)
		if !strings.HasSuffix(pt.body, "\n") {
			b.WriteByte('\n')
		}
	}
	fmt.Fprintf(&b, "\n--%s--\n", boundary)
	return b.Bytes(), nil
}

var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestCompression) // a valid level cannot fail
	return zw
}}

// compress gzips with no file name and a zero modification time, so equal input gives equal bytes.
// Writers are pooled: each holds about 1 MB of compressor state, and a build renders every host.
func compress(raw []byte) ([]byte, error) {
	var b bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	defer gzipPool.Put(zw)
	zw.Reset(&b)
	if _, err := zw.Write(raw); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
