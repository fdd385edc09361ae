package profile

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Build resolves one host's profile with a fresh Set; to build many hosts, reuse a Set.
func Build(in Input) (*Profile, error) { return NewSet().Build(in) }

// Build resolves one host: attributes, the node graph from the role's root, and every node's
// elements that hold for the host, in graph order.
func (s *Set) Build(in Input) (*Profile, error) {
	if err := checkInput(&in); err != nil {
		return nil, err
	}
	o := resolveOS(in.Cluster.OS)
	attrs, err := hostAttributes(&in, o)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", in.Host, err)
	}
	v, err := s.view(in.Nodes)
	if err != nil {
		return nil, err
	}
	e := newEnv(in.Host, attrs, in.Cluster.Arch, o)

	// The role's root includes base (so a site extend-base.xml reaches every host, as in
	// Stacki) and each of the role's components.
	extra := make([]edge, 0, len(in.Components)+1)
	extra = append(extra, edge{from: in.Role, to: "base", path: "builtin:role " + in.Role})
	for _, c := range in.Components {
		extra = append(extra, edge{from: in.Role, to: c.Name, path: "builtin:role " + in.Role})
	}
	included, err := v.traverse(in.Role, extra, e)
	if err != nil {
		return nil, err
	}
	order, err := v.order(included, e)
	if err != nil {
		return nil, err
	}

	p := &Profile{
		Host: in.Host, Role: in.Role, Cluster: in.Cluster.Name, Version: in.Cluster.Version,
		OS: o, Arch: in.Cluster.Arch, Attributes: attrs,
		Native:       native(&in),
		Repositories: slices.Clone(in.Repositories),
	}
	ev := evaluator{env: e, p: p, pkgSeen: map[Package]bool{}, svcIndex: map[string]int{}}
	for _, name := range order {
		for _, nf := range v.nodes[name] {
			if err := ev.node(nf); err != nil {
				return nil, err
			}
		}
	}
	// Scripts run by stage, then in graph order.
	sort.SliceStable(p.Scripts, func(i, j int) bool { return stageRank[p.Scripts[i].Stage] < stageRank[p.Scripts[j].Stage] })
	return p, nil
}

var stageRank = map[Stage]int{StageInstallPre: 0, StageInstallPrePackage: 1, StageInstallPost: 2, StageBootPre: 3, StageBootPost: 4}

func checkInput(in *Input) error {
	if in.Host == "" || in.Role == "" {
		return fmt.Errorf("%w: a host needs a name and a role", ErrInput)
	}
	o := resolveOS(in.Cluster.OS)
	needZK := false
	for _, c := range in.Components {
		modes, ok := componentModes[c.Name]
		if !ok {
			return fmt.Errorf("%w: host %s: unknown component %q; known: %s", ErrInput, in.Host, c.Name, strings.Join(Components(), ", "))
		}
		if c.Install == "" {
			c.Install = modes[0]
		}
		if !slices.Contains(modes, c.Install) {
			return fmt.Errorf("%w: host %s: component %s cannot be installed as %q; it supports %v", ErrInput, in.Host, c.Name, c.Install, modes)
		}
		if c.Install == InstallContainer {
			if in.Images[c.Name] == "" {
				return fmt.Errorf("%w: host %s: component %s runs as a container but the recipe gives no image for it; add an image %q block", ErrInput, in.Host, c.Name, c.Name)
			}
			if o.Init != "systemd" {
				return fmt.Errorf("%w: host %s: component %s runs as a container, which needs systemd; %s %s uses %s: install it from packages", ErrInput, in.Host, c.Name, o.Name, o.Release, o.Init)
			}
		}
		if c.Name == "zookeeper" && !slices.ContainsFunc(in.Ensemble, func(m Member) bool { return m.Host == in.Host }) {
			return fmt.Errorf("%w: host %s runs zookeeper but is not in the ensemble; the ensemble must list every zookeeper host", ErrInput, in.Host)
		}
		switch c.Name {
		case "zookeeper", "mesos-master", "mesos-slave", "marathon", "chronos":
			needZK = true
		}
	}
	// Defaults applied above must be seen by the caller's copy only, not the recipe's slice.
	comps := slices.Clone(in.Components)
	for i := range comps {
		if comps[i].Install == "" {
			comps[i].Install = componentModes[comps[i].Name][0]
		}
	}
	in.Components = comps
	if needZK && len(in.Ensemble) == 0 {
		return fmt.Errorf("%w: host %s runs Mesos components but the cluster has no ZooKeeper ensemble; give a role the zookeeper component", ErrInput, in.Host)
	}
	return nil
}

func native(in *Input) Native {
	fqdn := in.Host
	if in.Cluster.Domain != "" {
		fqdn += "." + in.Cluster.Domain
	}
	n := Native{
		Hostname:         fqdn,
		Timezone:         in.Cluster.Timezone,
		Lang:             "en_US.UTF-8",
		Keyboard:         "us",
		RootPasswordHash: in.Cluster.RootPasswordHash,
		Disk:             Disk{ClearAll: true},
	}
	if n.Timezone == "" {
		n.Timezone = "UTC"
	}
	if in.Address != "" {
		n.Network = []Interface{{Device: in.Device, Address: in.Address, Prefix: in.Prefix, Gateway: in.Gateway, DNS: slices.Clone(in.DNS)}}
	}
	return n
}

// evaluator turns the items of included nodes into the profile.
type evaluator struct {
	env      *env
	p        *Profile
	pkgSeen  map[Package]bool
	svcIndex map[string]int
}

func (ev *evaluator) node(nf *nodeFile) error {
	for _, it := range nf.items {
		ok, err := ev.env.holds(it.g, nf.path, it.line)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := ev.item(nf.path, it); err != nil {
			return err
		}
	}
	return nil
}

func (ev *evaluator) item(path string, it *item) error {
	e := ev.env
	src := Source{File: path, Line: it.line}
	switch it.kind {
	case itemPackage:
		names, err := e.expand(it.body, path)
		if err != nil {
			return err
		}
		for _, n := range strings.Fields(names) {
			pk := Package{Name: n, Group: it.meta, Disabled: it.disable}
			if ev.pkgSeen[pk] {
				continue
			}
			ev.pkgSeen[pk] = true
			pk.Source = src
			ev.p.Packages = append(ev.p.Packages, pk)
		}
	case itemFile:
		f, err := ev.file(path, it)
		if err != nil {
			return err
		}
		ev.p.Files = append(ev.p.Files, *f)
	case itemScript:
		return ev.script(path, it)
	case itemNative:
		body, err := e.expand(it.body, path)
		if err != nil {
			return err
		}
		for _, l := range strings.Split(body, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				ev.p.NativeCommands = append(ev.p.NativeCommands, l)
			}
		}
	case itemService:
		name, err := e.expand(it.name, path)
		if err != nil {
			return err
		}
		svc := Service{Name: name, Enable: it.enable, Source: src}
		// A later node's word on a service wins, as a later systemctl call would.
		if i, ok := ev.svcIndex[name]; ok {
			ev.p.Services[i] = svc
			return nil
		}
		ev.svcIndex[name] = len(ev.p.Services)
		ev.p.Services = append(ev.p.Services, svc)
	case itemContainer:
		var c Container
		for _, f := range []struct {
			t   tmpl
			dst *string
		}{{it.name, &c.Name}, {it.image, &c.Image}, {it.unit, &c.Unit}} {
			v, err := e.expand(f.t, path)
			if err != nil {
				return err
			}
			*f.dst = v
		}
		ev.p.Containers = append(ev.p.Containers, c)
	}
	return nil
}

func (ev *evaluator) script(path string, it *item) error {
	e := ev.env
	sc := Script{Stage: it.stage, NoChroot: it.noChroot, Args: it.args, Source: Source{File: path, Line: it.line}}
	interp, err := e.expand(it.interp, path)
	if err != nil {
		return err
	}
	sc.Interpreter = interp
	for _, st := range it.steps {
		if st.kind == itemFile {
			ok, err := e.holds(st.g, path, st.line)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			f, err := ev.file(path, st)
			if err != nil {
				return err
			}
			sc.Steps = append(sc.Steps, Step{File: f})
			continue
		}
		text, err := e.expand(st.body, path)
		if err != nil {
			return err
		}
		if text = trimBlankEdges(text); text != "" {
			sc.Steps = append(sc.Steps, Step{Text: text})
		}
	}
	if len(sc.Steps) > 0 {
		ev.p.Scripts = append(ev.p.Scripts, sc)
	}
	return nil
}

func (ev *evaluator) file(path string, it *item) (*File, error) {
	e := ev.env
	f := &File{Append: it.appendMode, Expanded: it.expanded, Source: Source{File: path, Line: it.line}}
	for _, a := range []struct {
		t   tmpl
		dst *string
	}{{it.name, &f.Path}, {it.owner, &f.Owner}, {it.perms, &f.Perms}, {it.expr, &f.Expr}, {it.body, &f.Content}} {
		v, err := e.expand(a.t, path)
		if err != nil {
			return nil, err
		}
		*a.dst = v
	}
	f.Path = strings.TrimSpace(f.Path)
	if !strings.HasPrefix(f.Path, "/") {
		return nil, errorf(ErrSyntax, path, it.line, "file name %q is not an absolute path", f.Path)
	}
	if f.Content = trimBlankEdges(f.Content); f.Content != "" {
		f.Content += "\n"
	}
	return f, nil
}
