package builder

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
	"github.com/palletizer/palletizer/profile"
)

// TestRenderGolden renders every host of every stock recipe in every format and compares with
// the golden files (go test -update rewrites them).
func TestRenderGolden(t *testing.T) {
	ext := map[string]string{FormatKickstart: ".ks", FormatProfile: ".xml", FormatCloudConfig: ".yaml"}
	for _, name := range examples {
		r := loadExample(t, name)
		profiles := profilesOf(t, r)
		for _, h := range r.Hosts {
			p := mustHost(t, profiles, h.Name)
			for format, suffix := range ext {
				out, err := Render(r, p, format)
				if err != nil {
					t.Fatalf("%s %s %s: %v", name, h.Name, format, err)
				}
				testutil.Golden(t, filepath.Join("testdata", "render", name, h.Name+suffix), out)
			}
			ud, err := Render(r, p, FormatUserData)
			if err != nil {
				t.Fatalf("%s %s user-data: %v", name, h.Name, err)
			}
			if len(ud) > 16384 {
				t.Errorf("%s %s: user-data is %d bytes, over EC2's 16384", name, h.Name, len(ud))
			}
		}
	}
}

// The seeds/002 node file, verbatim, configures backend-0-0 as the master and backend-0-1 as a
// slave.
func TestStackiSeedKickstarts(t *testing.T) {
	r := loadExample(t, "stacki-mesos")
	profiles := profilesOf(t, r)
	render := func(host string) string {
		p := mustHost(t, profiles, host)
		ks, err := Render(r, p, FormatKickstart)
		if err != nil {
			t.Fatal(err)
		}
		return string(ks)
	}
	section := func(ks, start string) string {
		i := strings.Index(ks, start)
		if i < 0 {
			t.Fatalf("no %q in:\n%s", start, ks)
		}
		return ks[i : i+strings.Index(ks[i:], "%end")]
	}
	master := render("backend-0-0")
	pkgs := section(master, "%packages")
	for _, p := range []string{"\nmesos\n", "\nmarathon\n", "\nzookeeper-server\n"} {
		if !strings.Contains(pkgs, p) {
			t.Errorf("master %%packages lacks %q:\n%s", strings.TrimSpace(p), pkgs)
		}
	}
	for _, want := range []string{"cat > /etc/mesos-master/ip << '__EOF__'\n10.1.255.254\n__EOF__", "cat > /etc/mesos/zk << '__EOF__'\nzk://10.1.255.254:2181/mesos\n__EOF__", "echo 1 > /var/lib/zookeeper/myid"} {
		if !strings.Contains(master, want) {
			t.Errorf("master kickstart lacks %q", want)
		}
	}
	slave := render("backend-0-1")
	if strings.Contains(section(slave, "%packages"), "marathon") {
		t.Error("slave installs marathon")
	}
	if strings.Contains(slave, "/etc/mesos-master/ip") || !strings.Contains(slave, "cat > /etc/mesos-slave/ip << '__EOF__'\n10.1.255.250\n__EOF__") {
		t.Error("slave kickstart should write /etc/mesos-slave/ip with its own address and no master files")
	}
}

// Every cloud-config of the stock recipes passes the real cloud-init schema check.
func TestCloudConfigSchema(t *testing.T) {
	ci := testutil.RequireTool(t, "cloud-init")
	dir := t.TempDir()
	for _, name := range examples {
		r := loadExample(t, name)
		profiles := profilesOf(t, r)
		for _, h := range r.Hosts {
			p := mustHost(t, profiles, h.Name)
			doc, err := Render(r, p, FormatCloudConfig)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, name+"-"+h.Name+".yaml")
			if err := os.WriteFile(path, doc, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(ci, "schema", "--config-file", path).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "Valid cloud-config") {
				t.Errorf("%s %s: cloud-init schema: %v\n%s", name, h.Name, err, out)
			}
		}
	}
}

// Kickstart and cloud-config are two renderings of one profile: every file the profile writes
// (zoo.cfg, myid, the mesos files) appears in both with the same content.
func TestKickstartAndCloudConfigAgree(t *testing.T) {
	r := loadExample(t, "aws-ha")
	profiles := profilesOf(t, r)
	p := mustHost(t, profiles, "master-2")
	ks, _ := Render(r, p, FormatKickstart)
	cc, _ := Render(r, p, FormatCloudConfig)
	files := append([]profile.File{}, p.Files...)
	for _, sc := range p.Scripts {
		for _, st := range sc.Steps {
			if st.File != nil {
				files = append(files, *st.File)
			}
		}
	}
	var seen []string
	for _, f := range files {
		seen = append(seen, f.Path)
		if !strings.Contains(string(ks), f.Path) || !strings.Contains(string(cc), f.Path) {
			t.Errorf("%s is not in both renderings", f.Path)
		}
		for _, line := range strings.Split(strings.TrimSpace(f.Content), "\n") {
			if line != "" && (!strings.Contains(string(ks), line) || !strings.Contains(string(cc), strings.TrimSpace(line))) {
				t.Errorf("%s: line %q is not in both renderings", f.Path, line)
			}
		}
	}
	for _, want := range []string{"/etc/zookeeper/conf/zoo.cfg", "/var/lib/zookeeper/myid", "/etc/mesos/zk", "/etc/mesos-master/quorum"} {
		if !strings.Contains(strings.Join(seen, " "), want) {
			t.Errorf("master-2's profile does not write %s (files: %v)", want, seen)
		}
	}
}
