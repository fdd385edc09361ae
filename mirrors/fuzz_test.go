package mirrors

import (
	"bytes"
	"testing"
)

// The parsers read whatever an upstream serves: they may fail, never panic, and never hand
// out a location that leaves the repository.

func FuzzParseRepomd(f *testing.F) {
	f.Add([]byte(`<repomd><revision>1</revision><data type="primary"><checksum type="sha256">ab</checksum><location href="repodata/p.xml.gz"/><size>3</size></data></repomd>`))
	f.Add([]byte(`<repomd><data type="primary"><location href="../x"/></data></repomd>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		md, err := ParseRepomd(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, d := range md.Data {
			if checkLocation(d.Location) != nil {
				t.Fatalf("unsafe location %q accepted", d.Location)
			}
		}
	})
}

func FuzzParsePrimary(f *testing.F) {
	f.Add([]byte(`<metadata><package type="rpm"><name>a</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><checksum type="sha256">ab</checksum><location href="a.rpm"/><format><rpm:requires><rpm:entry name="b" flags="GE" ver="1"/></rpm:requires><file>/usr/bin/a</file></format></package></metadata>`))
	f.Add([]byte(`<metadata><package><name>a</name><checksum>x</checksum><location href="/etc/x"/></package></metadata>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParsePrimary(bytes.NewReader(b), func(p *Package) error {
			if checkLocation(p.Location) != nil {
				t.Fatalf("unsafe location %q accepted", p.Location)
			}
			_ = p.NEVRA()
			return nil
		})
	})
}

func FuzzParseFilelists(f *testing.F) {
	f.Add([]byte(`<filelists><package pkgid="ab" name="a" arch="x86_64"><version epoch="0" ver="1" rel="1"/><file type="dir">/a</file><file>/a/b</file></package></filelists>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseFilelists(bytes.NewReader(b), func(*FileList) error { return nil })
		ParseOther(bytes.NewReader(b), func(*OtherData) error { return nil })
	})
}

func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0})
	f.Add([]byte("BZh91AY&SY"))
	f.Add([]byte{0xfd, '7', 'z', 'X', 'Z', 0})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decompress(bytes.NewReader(b), 1<<20)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		buf.ReadFrom(r)
		if buf.Len() > 1<<20 {
			t.Fatalf("cap exceeded: %d bytes", buf.Len())
		}
		r.Close()
	})
}

func FuzzVercmp(f *testing.F) {
	f.Add("1.0~rc1", "1.0^git1")
	f.Fuzz(func(t *testing.T, a, b string) {
		if x, y := Vercmp(a, b), Vercmp(b, a); x != -y {
			t.Fatalf("Vercmp(%q,%q)=%d but reversed %d", a, b, x, y)
		}
	})
}
