package cloudinit

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/profile"
)

type mimePart struct{ ctype, name, body string }

// parseMIME reads a multipart user-data document with Go's net/mail and mime/multipart.
func parseMIME(t *testing.T, data []byte) []mimePart {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("not a MIME message: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	var parts []mimePart
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p)
		if err != nil {
			t.Fatal(err)
		}
		ct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, mimePart{ct, p.FileName(), string(body)})
	}
	return parts
}

func TestUserDataMultipart(t *testing.T) {
	p := everything()
	p.OS = profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}
	ud, err := UserData(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ud.ContentType != "multipart/mixed" || ud.Gzipped {
		t.Fatalf("a python post script needs MIME, uncompressed under the limit: %+v", ud.ContentType)
	}
	parts := parseMIME(t, ud.Data)
	want := []struct{ ctype, name, prefix string }{
		{"text/cloud-config", "cloud-config.yaml", "#cloud-config\n"},
		{"text/x-shellscript", "001-files", "#!/bin/sh\n"},
		{"text/x-shellscript", "002-install-post-04", "#!/usr/bin/python\nprint('python post')\n"},
		{"text/x-shellscript", "003-install-post-05", "#!/bin/sh\ncp /tmp/pre.log"},
		{"text/x-shellscript", "004-install-post-06", "#!/bin/sh\nmv /etc/init/mesos-slave.conf"},
		{"text/x-shellscript", "005-boot-post-07", "#!/bin/sh\nsystemctl start chronos"},
		{"text/x-shellscript", "006-services", "#!/bin/sh\nsystemctl enable zookeeper\n"},
	}
	if len(parts) != len(want) {
		t.Fatalf("%d parts, want %d: %+v", len(parts), len(want), parts)
	}
	for i, w := range want {
		if parts[i].ctype != w.ctype || parts[i].name != w.name || !strings.HasPrefix(parts[i].body, w.prefix) {
			t.Errorf("part %d = %s %s %.40q, want %s %s %q", i, parts[i].ctype, parts[i].name, parts[i].body, w.ctype, w.name, w.prefix)
		}
	}
	if strings.Contains(parts[0].body, "runcmd") {
		t.Error("MIME cloud-config still has runcmd; the scripts would run twice")
	}
	schemaCheck(t, []byte(parts[0].body))

	plain, err := UserData(slave(), Options{})
	if err != nil || plain.ContentType != "text/cloud-config" || !bytes.HasPrefix(plain.Data, []byte("#cloud-config\n")) {
		t.Errorf("a shell-only profile should stay a plain cloud-config: %v %q", err, plain.ContentType)
	}
	always, err := UserData(slave(), Options{Multipart: MultipartAlways})
	if err != nil || always.ContentType != "multipart/mixed" || len(parseMIME(t, always.Data)) != 4 {
		t.Errorf("MultipartAlways: %v %q", err, always.ContentType)
	}
	// Same content, same bytes: the boundary comes from the content.
	again, _ := UserData(p, Options{})
	if !bytes.Equal(ud.Data, again.Data) {
		t.Error("multipart output is not deterministic")
	}
	p.Files[0].Content = "zk://10.1.1.99:2181/mesos\n"
	other, _ := UserData(p, Options{})
	if boundary(t, other.Data) == boundary(t, ud.Data) {
		t.Error("boundary does not depend on content")
	}
}

func boundary(t *testing.T, data []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	return params["boundary"]
}

// bigProfile adds incompressible-ish files until the raw document passes the limit.
func bigProfile(n, size int) *profile.Profile {
	p := slave()
	seed := uint32(2463534242)
	for i := 0; i < n; i++ {
		var b strings.Builder
		for b.Len() < size {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			fmt.Fprintf(&b, "%08x\n", seed)
		}
		p.Files = append(p.Files, profile.File{Path: fmt.Sprintf("/etc/big/file-%02d", i), Content: b.String()})
	}
	return p
}

func TestUserDataGzip(t *testing.T) {
	p := slave()
	for i := 0; i < 60; i++ { // compressible: a long but repetitive config
		p.Files = append(p.Files, profile.File{Path: fmt.Sprintf("/etc/mesos-slave/attr-%02d", i), Content: strings.Repeat("rack:r1;zone:a\n", 20)})
	}
	ud, err := UserData(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !ud.Gzipped || ud.RawSize <= DefaultLimit || len(ud.Data) > DefaultLimit {
		t.Fatalf("gzip=%v raw=%d out=%d", ud.Gzipped, ud.RawSize, len(ud.Data))
	}
	zr, err := gzip.NewReader(bytes.NewReader(ud.Data))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q / time %v", zr.Name, zr.ModTime)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := Render(p, Options{})
	if !bytes.Equal(raw, want) || len(raw) != ud.RawSize {
		t.Error("gzip does not round-trip to the cloud-config")
	}
	again, _ := UserData(p, Options{})
	if !bytes.Equal(again.Data, ud.Data) {
		t.Error("gzip output is not deterministic")
	}
	small, _ := UserData(slave(), Options{})
	if small.Gzipped {
		t.Error("GzipAuto compressed a document under the limit")
	}
	if forced, _ := UserData(slave(), Options{Gzip: GzipAlways}); !forced.Gzipped {
		t.Error("GzipAlways did not compress")
	}
	if _, err := UserData(p, Options{Gzip: GzipNever}); err == nil {
		t.Error("GzipNever over the limit: no error")
	}
}

func TestUserDataBudget(t *testing.T) {
	p := bigProfile(6, 5000) // ~30 KB of hex digits; gzip gets about half
	_, err := UserData(p, Options{})
	var be *BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want *BudgetError", err)
	}
	if !be.Gzipped || be.Size <= DefaultLimit || be.Limit != DefaultLimit || be.Host != "backend-0-1" {
		t.Errorf("budget error = %+v", be)
	}
	if len(be.Largest) != 5 || !strings.HasPrefix(be.Largest[0].Name, "file /etc/big/file-") || be.Largest[0].Bytes < 5000 {
		t.Errorf("largest = %+v", be.Largest)
	}
	for i := 1; i < len(be.Largest); i++ {
		if be.Largest[i].Bytes > be.Largest[i-1].Bytes {
			t.Error("contributors not largest first")
		}
	}
	msg := err.Error()
	for _, want := range []string{`host "backend-0-1"`, "16384-byte limit", "file /etc/big/file-00 (5004 bytes)", "gzip-compressed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	// A larger limit fits the same profile.
	if _, err := UserData(p, Options{Limit: 64 << 10}); err != nil {
		t.Errorf("64 KiB limit: %v", err)
	}
}

// TestCloudInitReadsUserData feeds every form to cloud-init's own user-data processor (the code
// that runs on the instance), which must decompress it and find the parts with their types.
func TestCloudInitReadsUserData(t *testing.T) {
	ci := testutil.RequireTool(t, "cloud-init")
	py := pythonOf(t, ci)
	mimeProfile := everything()
	mimeProfile.OS = profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}
	gz := slave()
	for i := 0; i < 60; i++ {
		gz.Files = append(gz.Files, profile.File{Path: fmt.Sprintf("/etc/x/%02d", i), Content: strings.Repeat("a=b\n", 80)})
	}
	for _, tc := range []struct {
		name string
		p    *profile.Profile
		opts Options
		want string
	}{
		{"plain", slave(), Options{}, "text/cloud-config cloud-config\n"},
		{"gzip", gz, Options{}, "text/cloud-config cloud-config\n"},
		{"mime+gzip", mimeProfile, Options{Gzip: GzipAlways}, "text/cloud-config cloud-config.yaml\n" +
			"text/x-shellscript 001-files\ntext/x-shellscript 002-install-post-04\ntext/x-shellscript 003-install-post-05\n" +
			"text/x-shellscript 004-install-post-06\ntext/x-shellscript 005-boot-post-07\ntext/x-shellscript 006-services\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ud, err := UserData(tc.p, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "user-data")
			if err := os.WriteFile(f, ud.Data, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(py, "-c", `
import sys, tempfile
from cloudinit import user_data, helpers
ud = user_data.UserDataProcessor(helpers.Paths({"cloud_dir": tempfile.mkdtemp()}))
msg = ud.process(open(sys.argv[1], "rb").read())
for part in msg.walk():
    if part.get_content_maintype() == "multipart":
        continue
    name = part.get_filename()
    if part.get_content_type() == "text/cloud-config" and name.startswith("part-"):
        name = "cloud-config"
    print(part.get_content_type(), name)
`, f)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("cloud-init could not process the user-data: %v\n%s", err, out)
			}
			if string(out) != tc.want {
				t.Errorf("cloud-init saw:\n%s\nwant:\n%s", out, tc.want)
			}
		})
	}
}
