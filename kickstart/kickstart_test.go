package kickstart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/profile"
)

func withOS(p *profile.Profile, os profile.OS) *profile.Profile {
	p.OS = os
	return p
}

var cases = []struct {
	name string
	p    func() *profile.Profile
	opts Options
}{
	{"master-el7", master, Options{}},
	{"slave-el7", slave, Options{InstallFrom: "http://10.1.255.254/install/centos/7/os/x86_64/"}},
	{"slave-el6", func() *profile.Profile {
		return withOS(slave(), profile.OS{Family: "redhat", Name: "centos", Release: "6", Init: "upstart"})
	}, Options{InstallFrom: "nfs://10.1.255.254/export/centos6", MirrorURL: "http://10.1.255.254/repos"}},
	{"master-el9", func() *profile.Profile {
		return withOS(master(), profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"})
	}, Options{MirrorURL: "http://10.1.255.254/repos/", LogName: "stack"}},
	{"everything-el7", everything, Options{}},
}

func TestRenderGolden(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ks, err := Render(tc.p(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			major, _ := elMajor(tc.p())
			if err := validate(ks, major); err != nil {
				t.Errorf("invalid kickstart: %v\n%s", err, ks)
			}
			checkShellSyntax(t, ks)
			testutil.Golden(t, filepath.Join("testdata", tc.name, "ks.cfg"), ks)

			again, _ := Render(tc.p(), tc.opts)
			if !bytes.Equal(ks, again) {
				t.Error("two renders of the same profile differ")
			}

			x, err := RenderProfileXML(tc.p(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			testutil.Golden(t, filepath.Join("testdata", tc.name, "profile.xml"), x)
			if got := mainChapter(t, x); got != string(ks) {
				t.Errorf("profile XML main chapter differs from the kickstart:\n%s", got)
			}
		})
	}
}

// TestRenderContent checks the facts each golden file must show, so an -update cannot quietly
// accept a regression.
func TestRenderContent(t *testing.T) {
	render := func(p *profile.Profile, o Options) string {
		t.Helper()
		ks, err := Render(p, o)
		if err != nil {
			t.Fatal(err)
		}
		return string(ks)
	}
	ks := render(master(), Options{})
	for _, want := range []string{
		"\ncdrom\n",
		"\nnetwork --device=link --bootproto=static --ip=10.1.1.10 --netmask=255.255.255.0 --gateway=10.1.1.1 --nameserver=10.1.1.2,10.1.1.3 --hostname=backend-0-0.dc1.example.org\n",
		"\nrootpw --iscrypted " + rootHash + "\n",
		"\nzerombr\nclearpart --all --initlabel\nautopart\n",
		"\nrepo --name=mesosphere --baseurl=http://10.1.255.254/repos/mesosphere/\n",
		"\nservices --enabled=zookeeper,mesos-master,marathon,docker,chronos --disabled=mesos-slave\n",
		"%packages --ignoremissing\n@core\nmesos\nmarathon\nmesosphere-zookeeper\n-postfix\n%end\n",
		"cat > /etc/zookeeper/conf/zoo.cfg << '__EOF__'\n",
		"chown zookeeper:zookeeper /var/lib/zookeeper/myid\nchmod 0644 /var/lib/zookeeper/myid\n",
		"mv /etc/init/mesos-slave.conf /etc/init/mesos-slave.conf.disabled\n",
		"gpgkey=http://10.1.255.254/keys/RPM-GPG-KEY-mesosphere\n",
	} {
		if !strings.Contains(ks, want) {
			t.Errorf("master kickstart lacks %q", want)
		}
	}
	if strings.Contains(ks, "\ninstall\n") {
		t.Error("EL7 kickstart has install")
	}
	if strings.Index(ks, "/etc/mesos/zk") > strings.Index(ks, "mesos-slave.conf.disabled") {
		t.Error("profile files must be written before the node scripts run")
	}

	el6 := render(withOS(slave(), profile.OS{Family: "redhat", Name: "centos", Release: "6", Init: "upstart"}), Options{InstallFrom: "http://h/os/"})
	for _, want := range []string{"\ninstall\nurl --url=http://h/os/\n", "\nkeyboard us\n", "authconfig --enableshadow",
		"echo manual > /etc/init/mesos-master.override"} {
		if !strings.Contains(el6, want) {
			t.Errorf("EL6 kickstart lacks %q", want)
		}
	}
	el9 := render(withOS(master(), profile.OS{Family: "redhat", Name: "rocky", Release: "9", Init: "systemd"}), Options{MirrorURL: "http://m/repos"})
	for _, bad := range []string{"\ninstall\n", "\nauth ", "\nauthconfig "} {
		if strings.Contains(el9, bad) {
			t.Errorf("EL9 kickstart has %q, removed in EL9", bad)
		}
	}
	if !strings.Contains(el9, "repo --name=centos-base --baseurl=http://m/repos/centos-base/\n") {
		t.Error("MirrorURL not applied")
	}

	all := render(everything(), Options{})
	for _, want := range []string{
		"\n%pre --log=/var/log/palletizer-pre-01.log\n# from site/extend-base.xml:3\necho pre > /tmp/pre.log\n%end\n",
		"\n%pre-install --log=",
		"\n%post --interpreter=/usr/bin/python --log=",
		"\n%post --nochroot --log=/mnt/sysimage/var/log/palletizer-post-",
		"\nnetwork --device=eth1 --bootproto=static --noipv4 --ipv6=fd00::10/64 --ipv6gateway=fd00::1\n",
		"\nnetwork --device=eth2 --bootproto=dhcp\n",
		"\npart /boot --fstype=xfs --size=1024\npart swap --fstype=swap --size=4096\npart / --fstype=xfs --size=20480 --grow\n",
		"\n-@x11\n",
		"cat > /etc/palletizer/heredoc-trap << '__EOF_1__'\n__EOF__\nEOF\n__EOF_1__\n",
		"cat >> /etc/profile.d/cluster.sh << __EOF__\nexport CLUSTER_HOST=$(hostname)\n__EOF__\n",
		"touch /var/lib/mesos/.keep\n",
		"cat > '/etc/has space/it'\\''s' << '__EOF__'\n",
		"\nreboot\nfirewall --disabled\nselinux --permissive\nfirstboot --disabled\n",
		"#!/usr/bin/python3\nimport os\n",
		"systemctl enable palletizer-firstboot.service\n",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("everything kickstart lacks %q", want)
		}
	}
	if strings.Contains(all, "autopart") {
		t.Error("explicit partitions and autopart together")
	}
	// boot-pre before boot-post even though the profile lists boot-post first.
	if strings.Index(all, "01-boot-pre") > strings.Index(all, "02-boot-post") || !strings.Contains(all, "01-boot-pre") {
		t.Error("first-boot scripts out of stage order")
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name string
		p    func() *profile.Profile
		opts Options
		want string
		is   error
	}{
		{"ubuntu", func() *profile.Profile {
			return withOS(slave(), profile.OS{Family: "ubuntu", Name: "ubuntu", Release: "22.04", Init: "systemd"})
		}, Options{}, "render cloud-init user-data", ErrUnsupportedOS},
		{"el5", func() *profile.Profile {
			return withOS(slave(), profile.OS{Family: "redhat", Name: "centos", Release: "5", Init: "sysvinit"})
		}, Options{}, `release "5"`, ErrUnsupportedOS},
		{"bad source", slave, Options{InstallFrom: "smb://x/y"}, `scheme "smb"`, nil},
		{"blank hostname", func() *profile.Profile { p := slave(); p.Native.Hostname = "a b"; return p }, Options{}, `hostname "a b"`, nil},
		{"plain password", func() *profile.Profile { p := slave(); p.Native.RootPasswordHash = "secret"; return p }, Options{}, "crypt(3)", nil},
		{"el6 no password", func() *profile.Profile {
			p := withOS(slave(), profile.OS{Family: "redhat", Name: "centos", Release: "6", Init: "upstart"})
			p.Native.RootPasswordHash = ""
			return p
		}, Options{}, "cannot lock root", nil},
		{"deb repo", func() *profile.Profile {
			p := slave()
			p.Repositories = append(p.Repositories, profile.Repository{Name: "docker", Type: "deb"})
			return p
		}, Options{}, `repository "docker" is of type "deb"`, nil},
		{"python with file", func() *profile.Profile {
			p := slave()
			p.Scripts[0].Interpreter = "/usr/bin/python"
			return p
		}, Options{}, "site/extend-base.xml:27 runs under /usr/bin/python but writes files", nil},
		{"el6 pre-package", func() *profile.Profile {
			p := withOS(slave(), profile.OS{Family: "redhat", Name: "centos", Release: "6", Init: "upstart"})
			p.Scripts[0].Stage = profile.StageInstallPrePackage
			return p
		}, Options{}, "install-pre-package", nil},
		{"section word in a file", func() *profile.Profile {
			p := slave()
			p.Files = append(p.Files, profile.File{Path: "/etc/sudoers.d/x", Content: "%wheel ALL=(ALL) ALL\n%end\n"})
			return p
		}, Options{}, `the line "%end" in %post`, nil},
		{"native section", func() *profile.Profile { p := slave(); p.NativeCommands = []string{"%post\nx\n%end"}; return p }, Options{}, "opens a kickstart section", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.p(), tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want errors.Is %v", err, tt.is)
			}
			if _, err := RenderProfileXML(tt.p(), tt.opts); err == nil {
				t.Error("RenderProfileXML accepted what Render refused")
			}
		})
	}
}

func TestProfileXMLEscapes(t *testing.T) {
	p := slave()
	p.Files = append(p.Files, profile.File{Path: "/etc/trap.xml", Content: "<a><![CDATA[x]]></a> & ]]> done\n"})
	x, err := RenderProfileXML(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ks, _ := Render(p, Options{})
	if got := mainChapter(t, x); got != string(ks) {
		t.Errorf("round trip through XML changed the kickstart:\n%s", got)
	}
	p.Files = append(p.Files, profile.File{Path: "/etc/bin", Content: "a\x01b"})
	if _, err := RenderProfileXML(p, Options{}); err == nil || !strings.Contains(err.Error(), "U+0001") {
		t.Errorf("control character: err = %v", err)
	}
}

// mainChapter parses a profile document with encoding/xml and joins its main chapter's sections.
func mainChapter(t *testing.T, doc []byte) string {
	t.Helper()
	var prof struct {
		XMLName  xml.Name `xml:"profile"`
		Type     string   `xml:"type,attr"`
		Chapters []struct {
			Name     string `xml:"name,attr"`
			Sections []struct {
				Name string `xml:"name,attr"`
				Text string `xml:",chardata"`
			} `xml:"section"`
		} `xml:"chapter"`
	}
	if err := xml.Unmarshal(doc, &prof); err != nil {
		t.Fatalf("profile XML does not parse: %v", err)
	}
	if prof.Type != "native" || len(prof.Chapters) != 2 || prof.Chapters[0].Name != "stacki" {
		t.Fatalf("unexpected profile shape: %+v", prof)
	}
	if !strings.Contains(prof.Chapters[0].Sections[0].Text, "is_mesos_") {
		t.Error("stacki chapter lacks the attributes")
	}
	var b strings.Builder
	for _, s := range prof.Chapters[1].Sections {
		b.WriteString(s.Text)
	}
	return b.String()
}

// checkShellSyntax runs `sh -n` over every shell section, which catches a broken here-document
// or quote that would make anaconda's %post fail on a real install.
func checkShellSyntax(t *testing.T, ks []byte) {
	t.Helper()
	sh := testutil.RequireTool(t, "bash")
	for _, s := range splitSections(string(ks)) {
		if s.header == "" || strings.HasPrefix(s.header, "%packages") || strings.Contains(s.header, "--interpreter=/usr/bin/python") {
			continue
		}
		cmd := exec.Command(sh, "-n")
		cmd.Stdin = strings.NewReader(s.body)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: shell syntax error: %v\n%s\n%s", s.header, err, out, s.body)
		}
		// A here-document left open swallows the rest of the body without a syntax error in
		// bash (only a warning), so look for that too.
		if bytes.Contains(mustOut(cmd), []byte("here-document")) {
			t.Errorf("%s: unterminated here-document", s.header)
		}
	}
}

func mustOut(c *exec.Cmd) []byte {
	cmd := exec.Command(c.Path, c.Args[1:]...)
	cmd.Stdin = c.Stdin
	if r, ok := c.Stdin.(*strings.Reader); ok {
		r.Seek(0, 0)
	}
	out, _ := cmd.CombinedOutput()
	return out
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
