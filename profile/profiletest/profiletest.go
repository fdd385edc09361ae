// Package profiletest holds hand-built Profiles shaped like seeds/002 (Stacki extend-base.xml)
// and reference/mesos.md, one master and one agent, for the renderers' tests.
package profiletest

import "github.com/palletizer/palletizer/profile"

const RootHash = "$6$rounds=5000$palletizer$0Fc3mVb3lX6YOwJjHn9Q4jJ6t5oY1aC9d8Yz2b7T0wq2oTt8L4kE1mB0nP5r6s7t8u9v0w1x2y3z4A5B6C7D8"

var EL7 = profile.OS{Family: "redhat", Name: "centos", Release: "7", Init: "systemd"}

func Src(line int) profile.Source { return profile.Source{File: "site/extend-base.xml", Line: line} }

func Repos() []profile.Repository {
	return []profile.Repository{
		{Name: "centos-base", Type: "rpm", BaseURL: "http://10.1.255.254/repos/centos-base/"},
		{Name: "mesosphere", Type: "rpm", BaseURL: "http://10.1.255.254/repos/mesosphere/",
			GPGKey: "http://10.1.255.254/keys/RPM-GPG-KEY-mesosphere", GPGCheck: true},
	}
}

func Attrs(host, addr string, master bool) profile.Attributes {
	m, s := "false", "true"
	if master {
		m, s = "true", "false"
	}
	return profile.Attributes{
		"hostname":           {Value: host, Scope: profile.ScopeIntrinsic},
		"hostaddr":           {Value: addr, Scope: profile.ScopeIntrinsic},
		"is_mesos_master":    {Value: m, Scope: profile.ScopeHost, Where: "recipe.hcl:31,3"},
		"is_mesos_slave":     {Value: s, Scope: profile.ScopeHost, Where: "recipe.hcl:35,3"},
		"mesos_cluster_name": {Value: "MesosCluster", Scope: profile.ScopeGlobal, Where: "recipe.hcl:20,3"},
		"zookeeper_ip":       {Value: "10.1.1.10", Scope: profile.ScopeGlobal, Where: "recipe.hcl:21,3"},
	}
}

func Native(host, addr string) profile.Native {
	return profile.Native{
		Hostname: host + ".dc1.example.org", Timezone: "Europe/Madrid", Lang: "en_US.UTF-8", Keyboard: "us",
		RootPasswordHash: RootHash,
		Network:          []profile.Interface{{Address: addr, Prefix: 24, Gateway: "10.1.1.1", DNS: []string{"10.1.1.2", "10.1.1.3"}}},
		Disk:             profile.Disk{ClearAll: true},
	}
}

const zk = "zk://10.1.1.10:2181/mesos\n"

func Master() *profile.Profile {
	return &profile.Profile{
		Host: "backend-0-0", Role: "master", Cluster: "mesos-dc1", Version: "1.4.0", OS: EL7, Arch: "x86_64",
		Attributes:   Attrs("backend-0-0", "10.1.1.10", true),
		Native:       Native("backend-0-0", "10.1.1.10"),
		Repositories: Repos(),
		Packages: []profile.Package{
			{Name: "core", Group: true}, {Name: "mesos"}, {Name: "marathon"}, {Name: "mesosphere-zookeeper"},
			{Name: "mesos"}, {Name: "postfix", Disabled: true},
		},
		Files: []profile.File{
			{Path: "/etc/mesos/zk", Content: zk},
			{Path: "/etc/mesos-master/ip", Content: "10.1.1.10\n"},
			{Path: "/etc/mesos-master/hostname", Content: "10.1.1.10\n"},
			{Path: "/etc/mesos-master/quorum", Content: "1\n"},
			{Path: "/etc/mesos-master/cluster", Content: "MesosCluster\n"},
			{Path: "/etc/mesos-master/work_dir", Content: "/var/lib/mesos\n"},
			{Path: "/etc/zookeeper/conf/zoo.cfg", Content: "tickTime=2000\ninitLimit=10\nsyncLimit=5\n" +
				"dataDir=/var/lib/zookeeper\nclientPort=2181\nserver.1=10.1.1.10:2888:3888\n"},
			{Path: "/var/lib/zookeeper/myid", Content: "1\n", Owner: "zookeeper:zookeeper", Perms: "0644"},
			{Path: "/etc/zookeeper/conf/myid", Content: "1\n"},
			{Path: "/etc/default/marathon", Content: "MARATHON_MASTER=zk://10.1.1.10:2181/mesos\n" +
				"MARATHON_ZK=zk://10.1.1.10:2181/marathon\nMARATHON_HOSTNAME=10.1.1.10\n"},
			{Path: "/etc/systemd/system/chronos.service", Perms: "0644", Content: "[Unit]\nDescription=Chronos (container)\n" +
				"After=docker.service\nRequires=docker.service\n\n[Service]\nRestart=always\n" +
				"ExecStartPre=-/usr/bin/docker rm -f chronos\n" +
				"ExecStart=/usr/bin/docker run --name chronos --net host -e CHRONOS_HTTP_PORT=4400 " +
				"-e CHRONOS_MASTER=zk://10.1.1.10:2181/mesos registry.dc1.example.org:5000/indigo/chronos@sha256:" +
				"4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945\n\n[Install]\nWantedBy=multi-user.target\n"},
		},
		Scripts: []profile.Script{{
			Stage: profile.StageInstallPost, Source: Src(12),
			Steps: []profile.Step{
				{Text: "mv /etc/init/mesos-slave.conf /etc/init/mesos-slave.conf.disabled\n"},
				{File: &profile.File{Path: "/etc/mesos-master/cluster", Content: "\nMesosCluster\n", Source: Src(18)}},
				{Text: "echo 1 > /var/lib/zookeeper/myid\n"},
			},
		}},
		Services: []profile.Service{
			{Name: "zookeeper", Enable: true}, {Name: "mesos-master", Enable: true}, {Name: "marathon", Enable: true},
			{Name: "docker", Enable: true}, {Name: "chronos", Enable: true}, {Name: "mesos-slave", Enable: false},
		},
		Containers: []profile.Container{{Name: "chronos",
			Image: "registry.dc1.example.org:5000/indigo/chronos@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
			Unit:  "/etc/systemd/system/chronos.service"}},
	}
}

func Slave() *profile.Profile {
	return &profile.Profile{
		Host: "backend-0-1", Role: "slave", Cluster: "mesos-dc1", Version: "1.4.0", OS: EL7, Arch: "x86_64",
		Attributes:   Attrs("backend-0-1", "10.1.1.11", false),
		Native:       Native("backend-0-1", "10.1.1.11"),
		Repositories: Repos(),
		Packages:     []profile.Package{{Name: "mesos"}, {Name: "docker"}},
		Files: []profile.File{
			{Path: "/etc/mesos/zk", Content: zk},
			{Path: "/etc/mesos-slave/ip", Content: "10.1.1.11\n"},
			{Path: "/etc/mesos-slave/hostname", Content: "10.1.1.11\n"},
			{Path: "/etc/mesos-slave/containerizers", Content: "docker,mesos\n"},
			{Path: "/etc/mesos-slave/executor_registration_timeout", Content: "10mins\n"},
			{Path: "/etc/mesos-slave/resources", Content: "ports(*):[31000-32000]\n"},
			{Path: "/etc/mesos-slave/attributes", Content: "rack:r1;zone:a\n"},
		},
		Scripts: []profile.Script{{
			Stage: profile.StageInstallPost, Source: Src(27),
			Steps: []profile.Step{
				{Text: "mv /etc/init/mesos-master.conf /etc/init/mesos-master.conf.disabled\n"},
				{File: &profile.File{Path: "/etc/mesos-slave/ip", Content: "\n10.1.1.11\n", Source: Src(30)}},
			},
		}},
		Services: []profile.Service{{Name: "mesos-slave", Enable: true}, {Name: "docker", Enable: true}, {Name: "mesos-master"}},
	}
}

// everything exercises every kickstart feature at once.
func Everything() *profile.Profile {
	p := Master()
	p.Host = "everything-0-0"
	p.Native.Network = append(p.Native.Network,
		profile.Interface{Device: "eth1", Address: "fd00::10", Prefix: 64, Gateway: "fd00::1"},
		profile.Interface{Device: "eth2"})
	p.Native.Disk.Parts = []profile.Partition{
		{Mount: "/boot", FSType: "xfs", SizeMiB: 1024},
		{Mount: "swap", FSType: "swap", SizeMiB: 4096},
		{Mount: "/", FSType: "xfs", SizeMiB: 20480, Grow: true},
	}
	p.Packages = append(p.Packages, profile.Package{Name: "x11", Group: true, Disabled: true})
	p.Files = append(p.Files,
		profile.File{Path: "/etc/profile.d/cluster.sh", Content: "export CLUSTER_HOST=$(hostname)\n", Expanded: true, Append: true},
		profile.File{Path: "/etc/palletizer/heredoc-trap", Content: "__EOF__\nEOF\n"},
		profile.File{Path: "/var/lib/mesos/.keep"},
		profile.File{Path: "/etc/has space/it's", Content: "quoted path\n", Owner: "root:root", Perms: "0600"},
	)
	p.Scripts = []profile.Script{
		{Stage: profile.StageBootPost, Source: Src(60), Steps: []profile.Step{{Text: "systemctl start chronos"}}},
		{Stage: profile.StageInstallPost, Interpreter: "/usr/bin/python", Source: Src(40),
			Steps: []profile.Step{{Text: "print('python post')\n"}}},
		{Stage: profile.StageInstallPre, Source: Src(3), Steps: []profile.Step{{Text: "echo pre > /tmp/pre.log\n"}}},
		{Stage: profile.StageInstallPrePackage, Source: Src(8), Steps: []profile.Step{{Text: "mkdir -p /mnt/sysimage/etc/mesos\n"}}},
		{Stage: profile.StageInstallPost, NoChroot: true, Source: Src(45),
			Steps: []profile.Step{{Text: "cp /tmp/pre.log /mnt/sysimage/root/\n"}}},
		{Stage: profile.StageBootPre, Interpreter: "/usr/bin/python3", Source: Src(55),
			Steps: []profile.Step{{Text: "import os\nprint(os.uname())\n"}}},
		p.Scripts[0],
	}
	p.NativeCommands = []string{"firewall --disabled", "selinux --permissive\nfirstboot --disabled"}
	return p
}

func Ubuntu(p *profile.Profile, release, codename, init string) *profile.Profile {
	p.OS = profile.OS{Family: "ubuntu", Name: "ubuntu", Release: release, Init: init}
	p.Repositories = []profile.Repository{
		{Name: "ubuntu", Type: "deb", BaseURL: "http://10.1.255.254/repos/ubuntu/", Suite: codename, Components: []string{"main", "universe"}},
		{Name: "mesosphere", Type: "deb", BaseURL: "http://10.1.255.254/repos/mesosphere/", Suite: codename, Components: []string{"main"}, GPGCheck: true},
	}
	var pk []profile.Package
	for _, x := range p.Packages {
		if !x.Group {
			pk = append(pk, x)
		}
	}
	p.Packages = pk
	return p
}
