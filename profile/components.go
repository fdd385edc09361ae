package profile

import (
	"slices"
	"sort"
)

// componentModes lists the built-in components (each is a node in nodes/) and the install
// modes its node supports. marathon-lb and keepalived exist only as images, as in INDIGO.
var componentModes = map[string][]InstallMode{
	"zookeeper":    {InstallPackage, InstallContainer},
	"mesos-master": {InstallPackage, InstallContainer},
	"mesos-slave":  {InstallPackage, InstallContainer},
	"marathon":     {InstallPackage, InstallContainer},
	"chronos":      {InstallPackage, InstallContainer},
	"docker":       {InstallPackage},
	"haproxy":      {InstallPackage},
	"marathon-lb":  {InstallContainer},
	"keepalived":   {InstallContainer},
}

// Components returns the names of the built-in components, sorted.
func Components() []string {
	names := make([]string, 0, len(componentModes))
	for n := range componentModes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ComponentModes returns the install modes a built-in component supports, the first being its
// default, and whether the component exists.
func ComponentModes(name string) ([]InstallMode, bool) {
	m, ok := componentModes[name]
	return slices.Clone(m), ok
}

// componentDefaults are attribute defaults the component nodes read; a recipe overrides any of
// them in its global, role or host attributes.
var componentDefaults = map[string]string{
	"zookeeper.tick_time":   "2000",
	"zookeeper.init_limit":  "10",
	"zookeeper.sync_limit":  "5",
	"zookeeper.data_dir":    "/var/lib/zookeeper",
	"zookeeper.log_dir":     "/var/log/zookeeper",
	"zookeeper.client_port": "2181",

	"mesos.work_dir": "/var/lib/mesos",
	"mesos.log_dir":  "/var/log/mesos",
	"mesos.port":     "5050",

	"mesos-master.offer_timeout": "30secs",

	"mesos-slave.containerizers":                "docker,mesos",
	"mesos-slave.executor_registration_timeout": "10mins",
	"mesos-slave.attributes":                    "",
	"mesos-slave.resources":                     "ports(*):[31000-32000]",

	"marathon.version":   "1.4.1",
	"marathon.http_port": "8080",

	"chronos.http_port": "4400",
	"chronos.zk_path":   "/chronos/state",

	"docker.package": "docker-ce",

	"marathon-lb.group": "external",

	"keepalived.interface": "eth0",
}
