package profile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Attribute precedence: component defaults < the recipe's layers (global < role < host) <
// intrinsic facts palletizer computes (hostname, hostaddr, the ensemble, ...). Stacki versions
// disagree on where OS and environment scopes sit; palletizer has neither.

// Intrinsic attribute names beyond those in attributes.go.
const (
	AttrOSName  = "os.name"  // "centos", "rocky", "ubuntu"
	AttrOSMajor = "os.major" // "7" of "7.9"; "22" of "22.04"
	AttrInit    = "init"     // "systemd", "upstart" or "sysvinit"
	AttrFQDN    = "hostname.fqdn"
)

var rackRank = regexp.MustCompile(`-(\d+)-(\d+)$`)

// resolveOS fills the family and init system from the name and release.
func resolveOS(o OS) OS {
	name := strings.ToLower(o.Name)
	if o.Family == "" {
		switch name {
		case "ubuntu", "debian":
			o.Family = "ubuntu"
		case "sles", "opensuse":
			o.Family = "sles"
		default:
			o.Family = "redhat"
		}
	}
	if o.Init == "" {
		o.Init = "systemd"
		major, _ := strconv.Atoi(osMajor(o.Release))
		switch {
		case o.Family == "redhat" && major > 0 && major <= 6:
			o.Init = "upstart"
		case o.Family == "ubuntu" && major > 0 && major < 15:
			o.Init = "upstart"
		}
	}
	return o
}

func osMajor(release string) string {
	if i := strings.IndexByte(release, '.'); i >= 0 {
		return release[:i]
	}
	return release
}

// hostAttributes resolves every attribute of one host.
func hostAttributes(in *Input, o OS) (Attributes, error) {
	attrs := make(Attributes, len(componentDefaults)+64)
	for k, v := range componentDefaults {
		attrs[k] = Attr{Value: v, Scope: ScopeDefault}
	}
	attrs["mesos.cluster"] = Attr{Value: in.Cluster.Name, Scope: ScopeDefault}
	for _, l := range in.Layers {
		for k, v := range l.Values {
			attrs[k] = Attr{Value: v, Scope: l.Scope, Where: l.Where[k]}
		}
	}
	set := func(k, v string) { attrs[k] = Attr{Value: v, Scope: ScopeIntrinsic} }

	rack, rank := in.Rack, in.Rank
	if rack == 0 && rank == 0 {
		if m := rackRank.FindStringSubmatch(in.Host); m != nil {
			rack, _ = strconv.Atoi(m[1])
			rank, _ = strconv.Atoi(m[2])
		}
	}
	set(AttrHostname, in.Host)
	if in.Cluster.Domain != "" {
		set(AttrFQDN, in.Host+"."+in.Cluster.Domain)
	} else {
		set(AttrFQDN, in.Host)
	}
	set(AttrHostaddr, in.Address)
	set(AttrAppliance, in.Role)
	set(AttrRole, in.Role)
	set(AttrRack, strconv.Itoa(rack))
	set(AttrRank, strconv.Itoa(rank))
	set(AttrOS, o.Family)
	set(AttrOSName, o.Name)
	set(AttrOSVersion, o.Release)
	set(AttrOSMajor, osMajor(o.Release))
	set(AttrInit, o.Init)
	set(AttrArch, in.Cluster.Arch)
	set(AttrDomainname, in.Cluster.Domain)
	set(AttrCluster, in.Cluster.Name)
	set(AttrVersion, in.Cluster.Version)

	// Which components this host runs, for conds such as "not component.mesos-slave".
	for name := range componentModes {
		set("component."+name, "false")
	}
	for _, c := range in.Components {
		set("component."+c.Name, "true")
		set(c.Name+".install", string(c.Install))
		if img, ok := in.Images[c.Name]; ok {
			set(c.Name+".image", img)
		}
	}

	// The ZooKeeper ensemble and the URLs every Mesos component reads from it.
	port := attrs["zookeeper.client_port"].Value
	if len(in.Ensemble) > 0 {
		addrs := make([]string, len(in.Ensemble))
		hostPorts := make([]string, len(in.Ensemble))
		var lines strings.Builder
		for i, m := range in.Ensemble {
			addrs[i] = m.Address
			hostPorts[i] = m.Address + ":" + port
			fmt.Fprintf(&lines, "server.%d=%s:2888:3888\n", i+1, m.Address)
			if m.Host == in.Host {
				set("zookeeper.myid", strconv.Itoa(i+1))
			}
		}
		hosts := strings.Join(hostPorts, ",")
		set("zookeeper.size", strconv.Itoa(len(in.Ensemble)))
		set("zookeeper.servers", strings.Join(addrs, ","))
		set("zookeeper.server_lines", strings.TrimSuffix(lines.String(), "\n"))
		set("zookeeper.hosts", hosts)
		set("mesos.zk", "zk://"+hosts+"/mesos")
		set("marathon.zk", "zk://"+hosts+"/marathon")
		set("chronos.zk_hosts", hosts)
	}
	_, member := attrs["zookeeper.myid"]
	set("zookeeper.member", strconv.FormatBool(member))

	masters := in.Masters
	if len(masters) == 0 {
		masters = in.Ensemble
	}
	if len(masters) > 0 {
		set("mesos.masters", strconv.Itoa(len(masters)))
		set("mesos.quorum", strconv.Itoa(len(masters)/2+1))
		urls := make([]string, len(masters))
		for i, m := range masters {
			urls[i] = "http://" + m.Address + ":" + attrs["marathon.http_port"].Value
		}
		set("marathon.urls", strings.Join(urls, " "))
	}

	for i, b := range in.Balancers {
		if b.Host == in.Host {
			prio := "100"
			if i == 0 {
				prio = "150"
			}
			set("keepalived.priority", prio)
		}
	}

	// Marathon 1.5 dropped /etc/marathon/conf for /etc/default/marathon.
	mv := attrs["marathon.version"]
	newer, err := versionAtLeast(mv.Value, 1, 5)
	if err != nil {
		return nil, fmt.Errorf("%w: attribute marathon.version %q (set at %s): %v; give a version such as 1.4.1", ErrInput, mv.Value, where(mv), err)
	}
	set("marathon.default_file", strconv.FormatBool(newer))
	return attrs, nil
}

func where(a Attr) string {
	if a.Where != "" {
		return a.Where
	}
	return string(a.Scope) + " scope"
}

// versionAtLeast compares the first two numeric fields of a dotted version.
func versionAtLeast(v string, major, minor int) (bool, error) {
	f := strings.SplitN(strings.TrimSpace(v), ".", 3)
	ma, err := strconv.Atoi(f[0])
	if err != nil {
		return false, fmt.Errorf("not a dotted version")
	}
	mi := 0
	if len(f) > 1 {
		if mi, err = strconv.Atoi(strings.TrimFunc(f[1], func(r rune) bool { return r < '0' || r > '9' })); err != nil {
			return false, fmt.Errorf("not a dotted version")
		}
	}
	return ma > major || ma == major && mi >= minor, nil
}
