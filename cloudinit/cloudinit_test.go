package cloudinit

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/profile"
)

var cases = []struct {
	name string
	p    func() *profile.Profile
	opts Options
}{
	// EL7 ships 19.4: no defer, so package-owned files are written from runcmd.
	{"master-el7", master, Options{}},
	{"slave-el7", slave, Options{MirrorURL: "http://10.1.255.254/mirror"}},
	// EL9 ships 22.1: deferred write_files.
	{"master-el9", func() *profile.Profile {
		p := master()
		p.OS = profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}
		return p
	}, Options{}},
	{"slave-ubuntu-22.04", func() *profile.Profile { return ubuntu(slave(), "22.04", "jammy", "systemd") }, Options{}},
	// trusty's 0.7.5: apt_sources, no append, upstart jobs.
	{"slave-ubuntu-14.04", func() *profile.Profile { return ubuntu(slave(), "14.04", "trusty", "upstart") }, Options{}},
	// Only the paths packages own are deferred, by the caller's predicate.
	{"master-el9-predicate", func() *profile.Profile {
		p := master()
		p.OS = profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}
		return p
	}, Options{Defer: func(f profile.File) bool {
		return f.Path == "/etc/mesos/zk" || f.Path == "/etc/zookeeper/conf/zoo.cfg" || f.Path == "/etc/default/marathon"
	}}},
	{"everything-el9", func() *profile.Profile {
		p := everything()
		p.OS = profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}
		p.Files = append(p.Files, profile.File{Path: "/etc/pki/blob.bin", Content: "\x00\x01binary\xff", Perms: "0600"})
		return p
	}, Options{}},
	{"everything-el7", everything, Options{Version: "19.4"}},
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.p(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", tc.name, "cloud-config.yaml"), got)
			again, _ := Render(tc.p(), tc.opts)
			if !bytes.Equal(got, again) {
				t.Error("two renders differ")
			}
			schemaCheck(t, got)
			checkRoundTrip(t, tc.p(), got)
			checkRuncmdSyntax(t, got)

			ud, err := UserData(tc.p(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", tc.name, "user-data"), ud.Data)
		})
	}
}

// TestRenderContent pins the version-dependent choices, so -update cannot accept a regression.
func TestRenderContent(t *testing.T) {
	parse := func(p *profile.Profile, o Options) map[string]any {
		t.Helper()
		b, err := Render(p, o)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := parse(master(), Options{})
	if m["hostname"] != "backend-0-0" || m["fqdn"] != "backend-0-0.dc1.example.org" || m["manage_etc_hosts"] != true {
		t.Errorf("host names: %v %v %v", m["hostname"], m["fqdn"], m["manage_etc_hosts"])
	}
	if !reflect.DeepEqual(m["packages"], []any{"@core", "mesos", "marathon", "mesosphere-zookeeper"}) {
		t.Errorf("packages = %v", m["packages"])
	}
	repo := m["yum_repos"].(map[string]any)["mesosphere"].(map[string]any)
	if repo["baseurl"] != "http://10.1.255.254/repos/mesosphere/" || repo["gpgcheck"] != true {
		t.Errorf("yum repo = %v", repo)
	}
	// 19.4 has no defer: every file goes through runcmd, after packages.
	if m["write_files"] != nil {
		t.Errorf("EL7 (19.4) wrote files before packages: %v", m["write_files"])
	}
	rc := runcmd(m)
	if !strings.Contains(rc, "cat > /etc/mesos/zk << '__EOF__'") ||
		strings.Index(rc, "/etc/mesos/zk") > strings.Index(rc, "mesos-slave.conf.disabled") ||
		strings.Index(rc, "mesos-slave.conf.disabled") > strings.Index(rc, "systemctl enable mesos-master") {
		t.Errorf("runcmd order wrong (files, scripts, services):\n%s", rc)
	}
	if !strings.Contains(rc, "systemctl disable mesos-slave\nsystemctl stop mesos-slave") {
		t.Errorf("mesos-slave not disabled on the master:\n%s", rc)
	}

	el9 := master()
	el9.OS = profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}
	m = parse(el9, Options{})
	for _, f := range m["write_files"].([]any) {
		if f.(map[string]any)["defer"] != true {
			t.Errorf("22.1 with packages: %v not deferred", f.(map[string]any)["path"])
		}
	}
	m = parse(el9, Options{Defer: func(f profile.File) bool { return f.Path == "/etc/mesos/zk" }})
	for _, f := range m["write_files"].([]any) {
		wf := f.(map[string]any)
		if (wf["path"] == "/etc/mesos/zk") != (wf["defer"] == true) {
			t.Errorf("predicate ignored for %v", wf["path"])
		}
	}
	noPkg := slave()
	noPkg.OS = el9.OS
	noPkg.Packages = nil
	m = parse(noPkg, Options{})
	for _, f := range m["write_files"].([]any) {
		if f.(map[string]any)["defer"] != nil {
			t.Errorf("no packages, yet %v deferred", f.(map[string]any)["path"])
		}
	}

	m = parse(ubuntu(slave(), "22.04", "jammy", "systemd"), Options{})
	src := m["apt"].(map[string]any)["sources"].(map[string]any)
	if src["ubuntu.list"].(map[string]any)["source"] != "deb [trusted=yes] http://10.1.255.254/repos/ubuntu/ jammy main universe" ||
		src["mesosphere.list"].(map[string]any)["source"] != "deb http://10.1.255.254/repos/mesosphere/ jammy main" {
		t.Errorf("apt sources = %v", src)
	}
	m = parse(ubuntu(slave(), "14.04", "trusty", "upstart"), Options{})
	if m["apt"] != nil || m["apt_sources"] == nil {
		t.Errorf("0.7.5 needs apt_sources: %v / %v", m["apt"], m["apt_sources"])
	}
	if rc := runcmd(m); !strings.Contains(rc, "echo manual > /etc/init/mesos-master.override") {
		t.Errorf("upstart disable missing:\n%s", rc)
	}

	m = parse(everything(), Options{Version: "22.4"})
	bc, _ := json.Marshal(m["bootcmd"])
	for _, want := range []string{`["cloud-init-per","instance","palletizer-install-pre-01","sh","-c","echo pre \u003e /tmp/pre.log\n"]`,
		`exec /usr/bin/python3 /var/lib/palletizer/scripts/palletizer-boot-pre-03`} {
		if !strings.Contains(string(bc), want) {
			t.Errorf("bootcmd lacks %s:\n%s", want, bc)
		}
	}
	if rc := runcmd(m); !strings.Contains(rc, "/usr/bin/python\n/var/lib/palletizer/scripts/") {
		t.Errorf("python post script not run by path:\n%s", rc)
	}
	users, _ := json.Marshal(m["users"])
	if string(users) != `["default",{"hashed_passwd":"`+rootHash+`","lock_passwd":false,"name":"root"}]` {
		t.Errorf("users = %s", users)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		p    func() *profile.Profile
		opts Options
		want string
	}{
		{"unknown os", func() *profile.Profile { p := slave(); p.OS.Release = "3"; return p }, Options{}, "cloudinit.Options.Version"},
		{"bad version", slave, Options{Version: "twenty"}, `"twenty"`},
		{"rpm on ubuntu", func() *profile.Profile {
			p := ubuntu(slave(), "22.04", "jammy", "systemd")
			p.Repositories = repos()
			return p
		}, Options{}, `repository "centos-base" of type "rpm"`},
		{"group on ubuntu", func() *profile.Profile {
			p := ubuntu(slave(), "22.04", "jammy", "systemd")
			p.Packages = append(p.Packages, profile.Package{Name: "core", Group: true})
			return p
		}, Options{}, "no package groups"},
		{"relative path", func() *profile.Profile { p := slave(); p.Files[0].Path = "etc/x"; return p }, Options{}, "not absolute"},
		{"python with files", func() *profile.Profile { p := slave(); p.Scripts[0].Interpreter = "/usr/bin/python"; return p }, Options{}, "site/extend-base.xml:27"},
		{"unknown init", func() *profile.Profile { p := slave(); p.OS.Init = "runit"; return p }, Options{}, "unknown init"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.p(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func runcmd(m map[string]any) string {
	var b strings.Builder
	for _, c := range m["runcmd"].([]any) {
		for _, w := range c.([]any) {
			b.WriteString(w.(string) + "\n")
		}
	}
	return b.String()
}

// schemaCheck runs the real `cloud-init schema --config-file`, which exits non-zero and prints
// "Error:" lines on schema errors. cloud-init 22.4's schema allows unknown top-level keys, so the
// keys are also checked against the properties its JSON schema defines (apt_sources, the pre-0.7.8
// form 22.4 still converts, is allowed).
func schemaCheck(t *testing.T, doc []byte) {
	t.Helper()
	ci := testutil.RequireTool(t, "cloud-init")
	f := filepath.Join(t.TempDir(), "user-data.yaml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ci, "schema", "--config-file", f).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Valid cloud-config") || strings.Contains(string(out), "Error") {
		t.Fatalf("cloud-init schema rejected the document: %v\n%s\n%s", err, out, doc)
	}
	known := schemaKeys(t, ci)
	var m map[string]any
	if err := yaml.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	for k := range m {
		if !known[k] && k != "apt_sources" {
			t.Errorf("top-level key %q is not in cloud-init's schema", k)
		}
	}
}

var schemaKeyCache map[string]bool

// schemaKeys reads the top-level property names of the installed cloud-init's JSON schema.
func schemaKeys(t *testing.T, ci string) map[string]bool {
	t.Helper()
	if schemaKeyCache != nil {
		return schemaKeyCache
	}
	py := pythonOf(t, ci)
	out, err := exec.Command(py, "-c", `
import json, os, cloudinit.config.schemas as s
d = json.load(open(os.path.join(os.path.dirname(s.__file__), "schema-cloud-config-v1.json")))
keys = set()
for ref in d["allOf"]:
    keys |= set(d["$defs"][ref["$ref"].split("/")[-1]].get("properties", {}))
print(json.dumps(sorted(keys)))`).Output()
	if err != nil {
		t.Fatalf("reading cloud-init's schema: %v", err)
	}
	var keys []string
	if err := json.Unmarshal(out, &keys); err != nil || len(keys) < 50 {
		t.Fatalf("cloud-init schema keys: %v %q", err, out)
	}
	schemaKeyCache = map[string]bool{}
	for _, k := range keys {
		schemaKeyCache[k] = true
	}
	return schemaKeyCache
}

// pythonOf returns the interpreter of the cloud-init script, the one that can import cloudinit.
func pythonOf(t *testing.T, ci string) string {
	b, err := os.ReadFile(ci)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if !strings.HasPrefix(first, "#!") {
		t.Fatalf("%s has no #! line", ci)
	}
	return strings.Fields(first[2:])[0]
}

// checkRoundTrip parses the YAML back and checks every write_files entry carries the profile
// file's exact bytes, so quoting and block styles cannot corrupt content.
func checkRoundTrip(t *testing.T, p *profile.Profile, doc []byte) {
	t.Helper()
	var c config
	if err := yaml.Unmarshal(doc, &c); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, f := range p.Files {
		want[f.Path] = f.Content
	}
	for _, wf := range c.WriteFiles {
		content := wf.Content
		if wf.Encoding == "b64" {
			b, err := base64.StdEncoding.DecodeString(content)
			if err != nil {
				t.Fatal(err)
			}
			content = string(b)
		}
		if w, ok := want[wf.Path]; ok && w != content {
			t.Errorf("%s: content %q, want %q", wf.Path, content, w)
		}
	}
}

// checkRuncmdSyntax runs `sh -n` over every `sh -c` body of runcmd and bootcmd.
func checkRuncmdSyntax(t *testing.T, doc []byte) {
	t.Helper()
	var c config
	if err := yaml.Unmarshal(doc, &c); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range append(c.Runcmd, c.Bootcmd...) {
		for i, w := range cmd {
			if w != "-c" || i == 0 || (cmd[i-1] != "sh" && cmd[i-1] != "bash") {
				continue
			}
			sh := exec.Command("sh", "-n")
			sh.Stdin = strings.NewReader(cmd[i+1])
			if out, err := sh.CombinedOutput(); err != nil || len(out) > 0 {
				t.Errorf("shell syntax: %v %s\n%s", err, out, cmd[i+1])
			}
		}
	}
}

func BenchmarkRender10000Hosts(b *testing.B) {
	hosts := make([]*profile.Profile, 10000)
	for i := range hosts {
		if i%5 == 0 {
			hosts[i] = master()
		} else {
			hosts[i] = slave()
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range hosts {
			if _, err := Render(p, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkUserData10000Hosts(b *testing.B) {
	hosts := make([]*profile.Profile, 10000)
	for i := range hosts {
		hosts[i] = everything()
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, p := range hosts {
			if _, err := UserData(p, Options{Gzip: GzipAlways}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
