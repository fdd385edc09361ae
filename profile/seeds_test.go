package profile

import (
	"os"
	"strings"
	"testing"
)

// seedInput is the seeds/002 cluster: attributes set as the guide sets them with stack set attr.
func seedInput(t *testing.T, host, addr string, master bool) Input {
	t.Helper()
	data, err := os.ReadFile("testdata/seeds002/extend-base.xml")
	if err != nil {
		t.Fatal(err)
	}
	hostLayer := map[string]string{"is_mesos_slave": "true"}
	if master {
		hostLayer = map[string]string{"is_mesos_master": "true"}
	}
	return Input{
		Host: host, Address: addr, Role: "backend",
		Cluster: Cluster{Name: "stacki", Version: "1.0", OS: OS{Name: "centos", Release: "6.6"}, Arch: "x86_64"},
		Layers: []Layer{
			{Scope: ScopeGlobal, Values: map[string]string{
				"is_mesos_master": "false", "is_mesos_slave": "false",
				"zookeeper_ip": "10.1.255.254", "mesos_cluster_name": "MesosCluster",
			}},
			{Scope: ScopeHost, Values: hostLayer},
		},
		Nodes: []NodeFile{{Path: "site/extend-base.xml", Data: data}},
	}
}

func packageNames(p *Profile) []string {
	var out []string
	for _, pk := range p.Packages {
		out = append(out, pk.Name)
	}
	return out
}

// fileSteps collects the files written by scripts of the given file, by path.
func fileSteps(p *Profile, from string) map[string]string {
	out := map[string]string{}
	for _, s := range p.Scripts {
		if s.Source.File != from {
			continue
		}
		for _, st := range s.Steps {
			if st.File != nil {
				out[st.File.Path] = st.File.Content
			}
		}
	}
	return out
}

func TestSeed002Master(t *testing.T) {
	p, err := Build(seedInput(t, "backend-0-0", "10.1.1.10", true))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(packageNames(p), " "), "mesos marathon zookeeper-server"; got != want {
		t.Errorf("packages = %q, want %q", got, want)
	}
	files := fileSteps(p, "site/extend-base.xml")
	want := map[string]string{
		"/etc/mesos-master/ip":      "10.1.1.10\n",
		"/etc/mesos-master/cluster": "MesosCluster\n",
		"/etc/mesos/zk":             "zk://10.1.255.254:2181/mesos\n",
	}
	for path, content := range want {
		if files[path] != content {
			t.Errorf("%s = %q, want %q", path, files[path], content)
		}
	}
	if _, ok := files["/etc/mesos-slave/ip"]; ok {
		t.Errorf("a master got /etc/mesos-slave/ip")
	}
	// The master's post keeps text and files in document order, and &gt; became ">".
	var master *Script
	for i := range p.Scripts {
		if p.Scripts[i].Source.Line == 13 {
			master = &p.Scripts[i]
		}
	}
	if master == nil {
		t.Fatalf("no script from the <post cond=\"is_mesos_master\"> at line 13: %+v", p.Scripts)
	}
	var kinds []string
	for _, st := range master.Steps {
		if st.File != nil {
			kinds = append(kinds, "file:"+st.File.Path)
		} else {
			kinds = append(kinds, "text:"+strings.SplitN(st.Text, "\n", 2)[0])
		}
	}
	wantKinds := "text:mv /etc/init/mesos-slave.conf /etc/init/mesos-slave.conf.disabled|file:/etc/mesos-master/ip|file:/etc/mesos-master/cluster|text:service zookeeper-server init"
	if got := strings.Join(kinds, "|"); got != wantKinds {
		t.Errorf("master post steps:\n got %s\nwant %s", got, wantKinds)
	}
	last := master.Steps[len(master.Steps)-1].Text
	if want := "service zookeeper-server init\necho 1 > /var/lib/zookeeper/myid\n\nchkconfig zookeeper-server on"; last != want {
		t.Errorf("last step = %q, want %q", last, want)
	}
	if master.Stage != StageInstallPost || master.NoChroot {
		t.Errorf("master post stage %q nochroot %v", master.Stage, master.NoChroot)
	}
}

func TestSeed002Slave(t *testing.T) {
	p, err := Build(seedInput(t, "backend-0-1", "10.1.1.11", false))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(packageNames(p), " "), "mesos"; got != want {
		t.Errorf("packages = %q, want %q", got, want)
	}
	files := fileSteps(p, "site/extend-base.xml")
	if files["/etc/mesos-slave/ip"] != "10.1.1.11\n" {
		t.Errorf("/etc/mesos-slave/ip = %q", files["/etc/mesos-slave/ip"])
	}
	if files["/etc/mesos/zk"] != "zk://10.1.255.254:2181/mesos\n" {
		t.Errorf("/etc/mesos/zk = %q", files["/etc/mesos/zk"])
	}
	for _, f := range []string{"/etc/mesos-master/ip", "/etc/mesos-master/cluster"} {
		if _, ok := files[f]; ok {
			t.Errorf("a slave got %s", f)
		}
	}
	if len(p.Scripts) != 2 {
		t.Errorf("slave has %d scripts, want 2 (slave post, common post)", len(p.Scripts))
	}
}

// An attribute that is neither true nor false must not silently drop the master's post.
func TestSeed002NonBooleanAttribute(t *testing.T) {
	in := seedInput(t, "backend-0-0", "10.1.1.10", true)
	in.Layers[1].Values["is_mesos_master"] = "maybe"
	_, err := Build(in)
	var pe *Error
	if !asError(err, &pe) || pe.Kind != ErrCond || pe.Line != 9 || !strings.Contains(pe.Error(), `"maybe"`) {
		t.Fatalf("err = %v, want a cond error at site/extend-base.xml:9 naming \"maybe\"", err)
	}
}
