package mirrortest

import "fmt"

// Mesosphere is shaped like Mesosphere's EL7 repository: a few releases of each component
// (so newest matters) and dependencies between them, including a file dependency.
func Mesosphere() Repository {
	return Repository{Packages: []RPM{
		{Name: "mesosphere-el-repo", Version: "7", Release: "3", Arch: "noarch",
			Files: []string{"/etc/yum.repos.d/mesosphere.repo"}},
		{Name: "mesosphere-zookeeper", Version: "3.4.6", Release: "0.1.20141204175332.centos7", Arch: "x86_64",
			Provides: []string{"zookeeper-server"},
			Files:    []string{"/opt/mesosphere/zookeeper/", "/opt/mesosphere/zookeeper/bin/zkServer.sh", "/etc/zookeeper/conf/zoo.cfg"}},
		{Name: "mesos", Version: "1.3.0", Release: "2.0.3", Arch: "x86_64",
			Requires: []string{"mesosphere-el-repo"},
			Files:    []string{"/usr/sbin/mesos-master", "/usr/sbin/mesos-slave", "/usr/lib/libmesos-1.3.0.so"},
			Provides: []string{"libmesos = 1.3.0"}, PayloadSize: 2048},
		{Name: "mesos", Version: "1.4.0", Release: "2.0.1", Arch: "x86_64",
			Requires: []string{"mesosphere-el-repo", "/opt/mesosphere/zookeeper/bin/zkServer.sh"},
			Files:    []string{"/usr/sbin/mesos-master", "/usr/sbin/mesos-slave", "/usr/lib/libmesos-1.4.0.so"},
			Provides: []string{"libmesos = 1.4.0"}, PayloadSize: 4096},
		{Name: "marathon", Version: "1.4.8", Release: "1.0.719.el7", Arch: "x86_64",
			Requires: []string{"mesos >= 1.3.0", "/usr/sbin/mesos-master"},
			Files:    []string{"/usr/bin/marathon", "/usr/share/marathon/lib/marathon.jar"}},
		{Name: "marathon", Version: "1.5.1", Release: "1.0.740.el7", Arch: "x86_64",
			Requires: []string{"mesos >= 1.4.0", "/usr/sbin/mesos-master"},
			Files:    []string{"/usr/bin/marathon", "/usr/share/marathon/lib/marathon.jar"}},
		{Name: "chronos", Version: "2.5.0", Release: "0.1.20171211074431.el7", Arch: "x86_64",
			// A file only filelists.xml lists (not in primary's subset).
			Requires: []string{"mesos", "/usr/lib/libmesos-1.4.0.so"},
			Files:    []string{"/usr/bin/chronos", "/usr/share/chronos/chronos.jar"}},
		{Name: "chronos", Version: "2.4.0", Release: "0.1.20150828104228.el7", Arch: "x86_64",
			Requires: []string{"mesos"},
			Files:    []string{"/usr/bin/chronos", "/usr/share/chronos/chronos.jar"}},
	}}
}

// CDH is shaped like Cloudera's CDH5 repository's ZooKeeper packages.
func CDH() Repository {
	const v, r = "3.4.5+cdh5.16.2+155", "1.cdh5.16.2.p0.4.el7"
	return Repository{Packages: []RPM{
		{Name: "zookeeper", Version: v, Release: r, Arch: "x86_64",
			Files: []string{"/usr/lib/zookeeper/zookeeper.jar", "/usr/bin/zookeeper-client", "/etc/zookeeper/conf.dist/zoo.cfg"}},
		{Name: "zookeeper-server", Version: v, Release: r, Arch: "x86_64",
			Requires: []string{"zookeeper = " + v + "-" + r},
			Files:    []string{"/etc/rc.d/init.d/zookeeper-server", "/usr/bin/zookeeper-server"}},
		{Name: "zookeeper", Version: "3.4.5+cdh5.15.1+150", Release: "1.cdh5.15.1.p0.3.el7", Arch: "x86_64",
			Files: []string{"/usr/lib/zookeeper/zookeeper.jar", "/usr/bin/zookeeper-client"}},
	}}
}

// DockerCE is shaped like Docker CE's EL7 repository: epochs on docker-ce and docker-ce-cli
// (so EVR comparison has to honour them) and containerd.io as a dependency.
func DockerCE() Repository {
	return Repository{Packages: []RPM{
		{Name: "containerd.io", Version: "1.4.11", Release: "3.1.el7", Arch: "x86_64",
			Provides: []string{"containerd", "runc"},
			Files:    []string{"/usr/bin/containerd", "/usr/bin/runc"}},
		{Name: "docker-ce-cli", Epoch: 1, Version: "20.10.9", Release: "3.el7", Arch: "x86_64",
			Files: []string{"/usr/bin/docker"}},
		{Name: "docker-ce", Epoch: 3, Version: "20.10.9", Release: "3.el7", Arch: "x86_64",
			Requires: []string{"containerd.io >= 1.4.1", "docker-ce-cli"},
			Files:    []string{"/usr/bin/dockerd"}},
		{Name: "docker-ce", Epoch: 3, Version: "19.03.15", Release: "3.el7", Arch: "x86_64",
			Requires: []string{"containerd.io >= 1.2.2", "docker-ce-cli"},
			Files:    []string{"/usr/bin/dockerd"}},
		// Higher version, lower epoch: must lose to 3:20.10.9.
		{Name: "docker-ce", Epoch: 2, Version: "21.0.0", Release: "1.el7", Arch: "x86_64",
			Requires: []string{"containerd.io", "docker-ce-cli"},
			Files:    []string{"/usr/bin/dockerd"}},
	}}
}

// Generated is a repository of n packages named pkg-0000..: each requires the previous
// one, carries a few files and a payload of size bytes; for benchmarks.
func Generated(n, size int) Repository {
	r := Repository{}
	for i := 0; i < n; i++ {
		p := RPM{Name: fmt.Sprintf("pkg-%04d", i), Version: "1.0", Release: "1.el7", Arch: "x86_64",
			Files:       []string{fmt.Sprintf("/usr/bin/tool-%04d", i), fmt.Sprintf("/usr/lib/pkg-%04d/lib.so", i)},
			PayloadSize: size}
		if i > 0 {
			p.Requires = []string{fmt.Sprintf("pkg-%04d >= 1.0", i-1)}
		}
		r.Packages = append(r.Packages, p)
	}
	return r
}
