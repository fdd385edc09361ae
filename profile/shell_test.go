package profile

import (
	"errors"
	"github.com/palletizer/palletizer/internal/testutil"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestHeredocDelimiter(t *testing.T) {
	tests := []struct {
		content, want string
	}{
		{"", "__EOF__"},
		{"plain\ntext\n", "__EOF__"},
		{"__EOF__\n", "__EOF_1__"},
		{"a\n__EOF__\n__EOF_1__\nb", "__EOF_2__"},
		// Only a whole line ends a here-document; these do not collide.
		{" __EOF__\n__EOF__ \nx__EOF__\n", "__EOF__"},
		{"__EOF_1__\n", "__EOF__"},
	}
	for _, tt := range tests {
		got := HeredocDelimiter(tt.content)
		if got != tt.want {
			t.Errorf("HeredocDelimiter(%q) = %q, want %q", tt.content, got, tt.want)
		}
		for _, l := range strings.Split(tt.content, "\n") {
			if l == got {
				t.Errorf("delimiter %q collides with a line of %q", got, tt.content)
			}
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := map[string]string{
		"/etc/mesos/zk":      "/etc/mesos/zk",
		"":                   "''",
		"/tmp/a b":           "'/tmp/a b'",
		"it's":               `'it'\''s'`,
		"$HOME":              "'$HOME'",
		"zookeeper:hadoop":   "zookeeper:hadoop",
		"/etc/x;rm -rf /":    "'/etc/x;rm -rf /'",
		"/var/lib/`id`/file": "'/var/lib/`id`/file'",
	}
	for in, want := range tests {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFileShellText(t *testing.T) {
	f := File{Path: "/etc/mesos-master/ip", Content: "10.1.1.10\n", Owner: "root:root", Perms: "0644"}
	want := "mkdir -p /etc/mesos-master\n" +
		"cat > /etc/mesos-master/ip << '__EOF__'\n10.1.1.10\n__EOF__\n" +
		"chown root:root /etc/mesos-master/ip\nchmod 0644 /etc/mesos-master/ip\n"
	if got := f.Shell(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	f = File{Path: "/etc/profile.d/x.sh", Content: "export A=$B", Append: true, Expanded: true}
	want = "mkdir -p /etc/profile.d\ncat >> /etc/profile.d/x.sh << __EOF__\nexport A=$B\n__EOF__\n"
	if got := f.Shell(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	f = File{Path: "/var/run/flag"}
	want = "mkdir -p /var/run\ntouch /var/run/flag\n"
	if got := f.Shell(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestFileShellRuns runs the generated shell under the real sh and checks the files it writes,
// including content that would end a naive here-document and text the shell must not expand.
func TestFileShellRuns(t *testing.T) {
	sh := testutil.RequireTool(t, "sh")
	dir := t.TempDir()
	t.Setenv("PALLETIZER_TEST_VALUE", "expanded-value")
	files := []struct {
		f    File
		want string
	}{
		{File{Path: filepath.Join(dir, "a/b/plain"), Content: "line $HOME `id` \\n\n__EOF__\nEOF\n", Perms: "0600"},
			"line $HOME `id` \\n\n__EOF__\nEOF\n"},
		{File{Path: filepath.Join(dir, "a/b/plain"), Content: "appended", Append: true},
			"line $HOME `id` \\n\n__EOF__\nEOF\nappended\n"},
		{File{Path: filepath.Join(dir, "with space/it's"), Content: "v=$PALLETIZER_TEST_VALUE\n", Expanded: true},
			"v=expanded-value\n"},
		{File{Path: filepath.Join(dir, "empty/flag")}, ""},
	}
	var script strings.Builder
	script.WriteString("set -e\n")
	for _, tt := range files {
		script.WriteString(tt.f.Shell())
	}
	out, err := exec.Command(sh, "-c", script.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("sh failed: %v\n%s\nscript:\n%s", err, out, script.String())
	}
	seen := map[string]string{}
	for _, tt := range files {
		seen[tt.f.Path] = tt.want // the last write of a path is what the file holds
	}
	for p, want := range seen {
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("%s holds %q, want %q", p, got, want)
		}
	}
	st, err := os.Stat(filepath.Join(dir, "a/b/plain"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
}

func TestScriptShell(t *testing.T) {
	s := Script{Steps: []Step{
		{Text: "service zookeeper-server init"},
		{File: &File{Path: "/var/lib/zookeeper/myid", Content: "1\n"}},
		{Text: "chkconfig zookeeper-server on\n"},
	}}
	want := "service zookeeper-server init\n" +
		"mkdir -p /var/lib/zookeeper\ncat > /var/lib/zookeeper/myid << '__EOF__'\n1\n__EOF__\n" +
		"chkconfig zookeeper-server on\n"
	if got := s.Shell(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if !s.HasFiles() {
		t.Error("HasFiles = false")
	}
}

func TestIsShell(t *testing.T) {
	for in, want := range map[string]bool{"": true, "/bin/sh": true, "/bin/bash -x": true, "/usr/bin/python": false, "/usr/bin/python3": false, "perl": false} {
		if got := IsShell(in); got != want {
			t.Errorf("IsShell(%q) = %v", in, got)
		}
	}
}

func TestServiceCommands(t *testing.T) {
	el7 := OS{Family: "redhat", Name: "centos", Release: "7", Init: "systemd"}
	el6 := OS{Family: "redhat", Name: "centos", Release: "6", Init: "upstart"}
	trusty := OS{Family: "ubuntu", Name: "ubuntu", Release: "14.04", Init: "upstart"}
	sysv := OS{Family: "redhat", Name: "centos", Release: "5", Init: "sysvinit"}
	tests := []struct {
		os   OS
		svc  Service
		now  bool
		want []string
	}{
		{el7, Service{Name: "mesos-master", Enable: true}, false, []string{"systemctl enable mesos-master"}},
		{el7, Service{Name: "mesos-slave"}, true, []string{"systemctl disable mesos-slave", "systemctl stop mesos-slave"}},
		{el6, Service{Name: "mesos-slave"}, false, []string{
			"if [ -f /etc/init/mesos-slave.conf ]; then echo manual > /etc/init/mesos-slave.override; else chkconfig mesos-slave off; fi"}},
		{el6, Service{Name: "zookeeper-server", Enable: true}, false, []string{
			"if [ -f /etc/init/zookeeper-server.conf ]; then rm -f /etc/init/zookeeper-server.override; else chkconfig zookeeper-server on; fi"}},
		{trusty, Service{Name: "zookeeper", Enable: true}, true, []string{
			"if [ -f /etc/init/zookeeper.conf ]; then rm -f /etc/init/zookeeper.override; else update-rc.d zookeeper enable; fi",
			"if [ -f /etc/init/zookeeper.conf ]; then start zookeeper; else service zookeeper start; fi"}},
		{sysv, Service{Name: "docker", Enable: true}, true, []string{"chkconfig docker on", "service docker start"}},
	}
	for _, tt := range tests {
		got, err := ServiceCommands(tt.os, tt.svc, tt.now)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %v now=%v:\n got %q\nwant %q", tt.os.Init, tt.svc, tt.now, got, tt.want)
		}
	}
	_, err := ServiceCommands(OS{Name: "centos", Release: "7", Init: "runit"}, Service{Name: "x"}, false)
	if !errors.Is(err, ErrUnknownInit) {
		t.Errorf("unknown init: err = %v, want ErrUnknownInit", err)
	}
}
