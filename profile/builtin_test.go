package profile

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/palletizer/palletizer/internal/testutil"
)

var masters3 = []Member{{"master-1", "10.0.0.1"}, {"master-2", "10.0.0.2"}, {"master-3", "10.0.0.3"}}

// clusterInput is a 3-master cluster on the given OS with the role's components.
func clusterInput(host, addr, role string, release string, comps ...Component) Input {
	return Input{
		Host: host, Address: addr, Prefix: 24, Gateway: "10.0.0.254", DNS: []string{"10.0.0.253"}, Role: role,
		Components: comps,
		Cluster: Cluster{Name: "mesos-dc1", Version: "1.4.0", OS: OS{Name: "centos", Release: release},
			Arch: "x86_64", Domain: "dc1.example.org", Timezone: "Europe/Rome", RootPasswordHash: "$6$salt$hash"},
		Layers: []Layer{
			{Scope: ScopeGlobal, Values: map[string]string{"mesos-slave.attributes": "rack:r1"}, Where: map[string]string{"mesos-slave.attributes": "recipe.hcl:20,3"}},
		},
		Ensemble:  masters3,
		Balancers: []Member{{"lb-1", "10.0.0.21"}, {"lb-2", "10.0.0.22"}},
		Images: map[string]string{
			"zookeeper":    "registry.local:5000/indigo/zookeeper@sha256:" + strings.Repeat("a", 64),
			"mesos-master": "registry.local:5000/indigo/mesos-master@sha256:" + strings.Repeat("b", 64),
			"mesos-slave":  "registry.local:5000/indigo/mesos-slave@sha256:" + strings.Repeat("c", 64),
			"marathon":     "registry.local:5000/indigo/marathon@sha256:" + strings.Repeat("d", 64),
			"chronos":      "registry.local:5000/indigo/chronos@sha256:" + strings.Repeat("e", 64),
			"marathon-lb":  "registry.local:5000/mesosphere/marathon-lb@sha256:" + strings.Repeat("f", 64),
			"keepalived":   "registry.local:5000/indigo/keepalived@sha256:" + strings.Repeat("0", 64),
		},
	}
}

func masterComps(mode InstallMode) []Component {
	return []Component{{"zookeeper", mode}, {"mesos-master", mode}, {"marathon", mode}, {"chronos", mode}}
}

func mustBuild(t *testing.T, in Input) *Profile {
	t.Helper()
	p, err := Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// allFiles gathers top-level files and files written by scripts.
func allFiles(p *Profile) map[string]string {
	out := map[string]string{}
	for _, f := range p.Files {
		out[f.Path] = f.Content
	}
	for _, s := range p.Scripts {
		for _, st := range s.Steps {
			if st.File != nil {
				out[st.File.Path] = st.File.Content
			}
		}
	}
	return out
}

func services(p *Profile) string {
	var out []string
	for _, s := range p.Services {
		out = append(out, fmt.Sprintf("%s=%v", s.Name, s.Enable))
	}
	return strings.Join(out, " ")
}

func TestEnsembleOfThree(t *testing.T) {
	seen := map[string]bool{}
	for i, m := range masters3 {
		p := mustBuild(t, clusterInput(m.Host, m.Address, "master", "7", masterComps(InstallPackage)...))
		f := allFiles(p)
		cfg := f["/etc/zookeeper/conf/zoo.cfg"]
		want := "tickTime=2000\ninitLimit=10\nsyncLimit=5\ndataDir=/var/lib/zookeeper\nclientPort=2181\n" +
			"server.1=10.0.0.1:2888:3888\nserver.2=10.0.0.2:2888:3888\nserver.3=10.0.0.3:2888:3888\n"
		if cfg != want {
			t.Errorf("%s zoo.cfg:\n%s\nwant:\n%s", m.Host, cfg, want)
		}
		id := f["/var/lib/zookeeper/myid"]
		if id != fmt.Sprintf("%d\n", i+1) || f["/etc/zookeeper/conf/myid"] != id {
			t.Errorf("%s myid = %q and %q, want %d", m.Host, id, f["/etc/zookeeper/conf/myid"], i+1)
		}
		if seen[id] {
			t.Errorf("myid %q given twice", id)
		}
		seen[id] = true
		if q := f["/etc/mesos-master/quorum"]; q != "2\n" {
			t.Errorf("quorum = %q, want 2", q)
		}
		zk := "zk://10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181/mesos\n"
		if f["/etc/mesos/zk"] != zk {
			t.Errorf("/etc/mesos/zk = %q, want %q", f["/etc/mesos/zk"], zk)
		}
		if f["/etc/mesos-master/ip"] != m.Address+"\n" || f["/etc/mesos-master/cluster"] != "mesos-dc1\n" || f["/etc/mesos-master/work_dir"] != "/var/lib/mesos\n" {
			t.Errorf("mesos-master files: %q", f)
		}
		if got := services(p); got != "zookeeper=true mesos-master=true mesos-slave=false chronos=true marathon=true" {
			t.Errorf("services = %s", got)
		}
		if got := p.PackageNames(); !slices.Equal(got, []string{"chronos", "marathon", "mesos", "mesosphere-zookeeper"}) {
			t.Errorf("packages = %v", got)
		}
	}
}

func TestQuorum(t *testing.T) {
	for n, want := range map[int]string{1: "1", 2: "2", 3: "2", 4: "3", 5: "3"} {
		in := clusterInput("agent-1", "10.0.1.1", "slave", "7", Component{"mesos-slave", InstallPackage})
		in.Ensemble = nil
		for i := range n {
			in.Ensemble = append(in.Ensemble, Member{fmt.Sprintf("m%d", i), fmt.Sprintf("10.0.0.%d", i+1)})
		}
		p := mustBuild(t, in)
		if got := p.Attributes["mesos.quorum"].Value; got != want {
			t.Errorf("%d masters: quorum %s, want %s", n, got, want)
		}
	}
}

func TestSlavePackages(t *testing.T) {
	p := mustBuild(t, clusterInput("agent-1", "10.0.1.1", "slave", "7", Component{"mesos-slave", InstallPackage}, Component{"docker", InstallPackage}))
	f := allFiles(p)
	for path, want := range map[string]string{
		"/etc/mesos-slave/ip":                            "10.0.1.1\n",
		"/etc/mesos-slave/hostname":                      "10.0.1.1\n",
		"/etc/mesos-slave/containerizers":                "docker,mesos\n",
		"/etc/mesos-slave/executor_registration_timeout": "10mins\n",
		"/etc/mesos-slave/attributes":                    "rack:r1\n",
		"/etc/mesos-slave/resources":                     "ports(*):[31000-32000]\n",
	} {
		if f[path] != want {
			t.Errorf("%s = %q, want %q", path, f[path], want)
		}
	}
	if got := services(p); got != "docker=true mesos-slave=true mesos-master=false" {
		t.Errorf("services = %s", got)
	}
	if got := p.PackageNames(); !slices.Equal(got, []string{"docker-ce", "mesos"}) {
		t.Errorf("packages = %v", got)
	}
	if _, ok := f["/etc/marathon/conf/master"]; ok {
		t.Error("a slave got marathon configuration")
	}
	if a := p.Attributes["mesos-slave.attributes"]; a.Scope != ScopeGlobal || a.Where != "recipe.hcl:20,3" {
		t.Errorf("attribute provenance lost: %+v", a)
	}
}

// On EL6: CDH's zookeeper-server, upstart overrides instead of systemctl disable.
func TestEL6(t *testing.T) {
	p := mustBuild(t, clusterInput("master-1", "10.0.0.1", "master", "6.6", masterComps(InstallPackage)...))
	if got := p.PackageNames(); !slices.Equal(got, []string{"chronos", "marathon", "mesos", "zookeeper", "zookeeper-server"}) {
		t.Errorf("packages = %v", got)
	}
	f := allFiles(p)
	if f["/etc/init/mesos-slave.override"] != "manual\n" {
		t.Errorf("no upstart override for mesos-slave: %v", f)
	}
	if got := services(p); got != "zookeeper-server=true mesos-master=true chronos=true marathon=true" {
		t.Errorf("services = %s", got)
	}
	if p.Scripts[0].Steps[0].Text != "zookeeper-server-initialize --myid=1" {
		t.Errorf("first script = %+v", p.Scripts[0])
	}
}

func TestMarathonVersions(t *testing.T) {
	in := clusterInput("master-2", "10.0.0.2", "master", "7", masterComps(InstallPackage)...)
	f := allFiles(mustBuild(t, in))
	if f["/etc/marathon/conf/master"] != "zk://10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181/mesos\n" || f["/etc/marathon/conf/hostname"] != "10.0.0.2\n" {
		t.Errorf("marathon 1.4 conf files: %q", f)
	}
	if _, ok := f["/etc/default/marathon"]; ok {
		t.Error("marathon 1.4 got /etc/default/marathon")
	}
	in.Layers = append(in.Layers, Layer{Scope: ScopeRole, Values: map[string]string{"marathon.version": "1.5.6"}})
	f = allFiles(mustBuild(t, in))
	want := "MARATHON_MASTER=zk://10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181/mesos\nMARATHON_ZK=zk://10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181/marathon\nMARATHON_HOSTNAME=10.0.0.2\nMARATHON_HTTP_PORT=8080\n"
	if f["/etc/default/marathon"] != want {
		t.Errorf("/etc/default/marathon = %q", f["/etc/default/marathon"])
	}
	if _, ok := f["/etc/marathon/conf/master"]; ok {
		t.Error("marathon 1.5 got /etc/marathon/conf")
	}
}

func TestContainerMode(t *testing.T) {
	in := clusterInput("master-2", "10.0.0.2", "master", "7", masterComps(InstallContainer)...)
	p := mustBuild(t, in)
	if got := p.PackageNames(); !slices.Equal(got, []string{"docker-ce"}) {
		t.Errorf("container master packages = %v, want only docker-ce", got)
	}
	var names []string
	for _, c := range p.Containers {
		names = append(names, c.Name)
		if c.Image != in.Images[c.Name] {
			t.Errorf("%s image %q, want %q", c.Name, c.Image, in.Images[c.Name])
		}
		if _, ok := allFiles(p)[c.Unit]; !ok {
			t.Errorf("%s unit %s is not in the files", c.Name, c.Unit)
		}
	}
	if got := strings.Join(names, " "); got != "zookeeper mesos-master chronos marathon" {
		t.Errorf("containers = %s", got)
	}
	unit := allFiles(p)["/etc/systemd/system/zookeeper-container.service"]
	for _, want := range []string{"--net host --restart always", "-e MYID=2 ", "-e SERVERS=10.0.0.1,10.0.0.2,10.0.0.3 ", in.Images["zookeeper"]} {
		if !strings.Contains(unit, want) {
			t.Errorf("zookeeper unit lacks %q:\n%s", want, unit)
		}
	}
	mm := allFiles(p)["/etc/systemd/system/mesos-master-container.service"]
	if !strings.Contains(mm, "-e MESOS_QUORUM=2 ") || !strings.Contains(mm, "-e MESOS_ZK=zk://10.0.0.1:2181,10.0.0.2:2181,10.0.0.3:2181/mesos ") {
		t.Errorf("mesos-master unit:\n%s", mm)
	}
	if got := services(p); got != "docker=true zookeeper-container=true mesos-master-container=true chronos-container=true marathon-container=true" {
		t.Errorf("services = %s", got)
	}
	testutil.Golden(t, "testdata/golden/container-master.json", profileJSON(t, p))
}

func TestLoadBalancers(t *testing.T) {
	comps := []Component{{"marathon-lb", InstallContainer}, {"keepalived", InstallContainer}}
	for i, host := range []string{"lb-1", "lb-2"} {
		prio := []string{"150", "100"}[i]
		in := clusterInput(host, fmt.Sprintf("10.0.0.2%d", i+1), "loadbalancer", "7", comps...)
		in.Layers = append(in.Layers, Layer{Scope: ScopeRole, Values: map[string]string{"keepalived.virtual_ip": "10.0.0.100", "keepalived.password": "s3cret"}})
		p := mustBuild(t, in)
		unit := allFiles(p)["/etc/systemd/system/keepalived-container.service"]
		if !strings.Contains(unit, "-e KEEPALIVED_PRIORITY="+prio+" ") || !strings.Contains(unit, "--privileged") {
			t.Errorf("%s keepalived unit:\n%s", host, unit)
		}
		lb := allFiles(p)["/etc/systemd/system/marathon-lb-container.service"]
		if !strings.Contains(lb, "sse --marathon http://10.0.0.1:8080 http://10.0.0.2:8080 http://10.0.0.3:8080 --group external") {
			t.Errorf("marathon-lb unit:\n%s", lb)
		}
		// keepalived comes before marathon-lb, both after docker.
		if got := strings.Join(containerNames(p), " "); got != "keepalived marathon-lb" {
			t.Errorf("containers = %s", got)
		}
	}
	// Without the password the error names the attribute and where the built-in uses it.
	in := clusterInput("lb-1", "10.0.0.21", "loadbalancer", "7", comps...)
	_, err := Build(in)
	var pe *Error
	if !errors.As(err, &pe) || !errors.Is(err, ErrUnknownEntity) || !strings.Contains(pe.Msg, `"keepalived.virtual_ip"`) {
		t.Errorf("err = %v, want an unknown entity error for keepalived.virtual_ip", err)
	}
}

func containerNames(p *Profile) []string {
	var out []string
	for _, c := range p.Containers {
		out = append(out, c.Name)
	}
	return out
}

func TestHAProxyBridge(t *testing.T) {
	p := mustBuild(t, clusterInput("master-1", "10.0.0.1", "master", "7", append(masterComps(InstallPackage), Component{"haproxy", InstallPackage})...))
	f := allFiles(p)
	if f["/etc/haproxy-marathon-bridge/marathons"] != "http://10.0.0.1:8080 http://10.0.0.2:8080 http://10.0.0.3:8080\n" {
		t.Errorf("marathons = %q", f["/etc/haproxy-marathon-bridge/marathons"])
	}
	if !strings.HasPrefix(f["/usr/local/bin/haproxy-marathon-bridge"], "#!/bin/bash\n") || !strings.Contains(f["/usr/local/bin/haproxy-marathon-bridge"], `"$url/v2/tasks"`) {
		t.Errorf("bridge script:\n%s", f["/usr/local/bin/haproxy-marathon-bridge"])
	}
}

func TestInputErrors(t *testing.T) {
	cases := map[string]func(*Input){
		"unknown component":       func(in *Input) { in.Components = []Component{{"zookeeeper", InstallPackage}} },
		"container without image": func(in *Input) { delete(in.Images, "zookeeper") },
		"container on EL6":        func(in *Input) { in.Cluster.OS.Release = "6" },
		"docker as container":     func(in *Input) { in.Components = append(in.Components, Component{"docker", InstallContainer}) },
		"zookeeper not in ensemble": func(in *Input) {
			in.Host = "master-9"
		},
		"bad marathon version": func(in *Input) {
			in.Layers = append(in.Layers, Layer{Scope: ScopeHost, Values: map[string]string{"marathon.version": "latest"}})
		},
	}
	for name, mutate := range cases {
		in := clusterInput("master-1", "10.0.0.1", "master", "7", masterComps(InstallContainer)...)
		mutate(&in)
		if _, err := Build(in); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
}

func profileJSON(t *testing.T, p *Profile) []byte {
	t.Helper()
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(b, '\n')
}
