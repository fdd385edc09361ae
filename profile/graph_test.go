package profile

import (
	"errors"
	"strings"
	"testing"
)

func siteInput(nodes ...NodeFile) Input {
	return Input{Host: "backend-0-3", Address: "10.1.1.13", Role: "compute",
		Cluster: Cluster{Name: "c", Version: "1", OS: OS{Name: "centos", Release: "7"}, Arch: "x86_64"},
		Layers:  []Layer{{Scope: ScopeGlobal, Values: map[string]string{"fast": "true", "note": `a<b & "c"`}}},
		Nodes:   nodes}
}

func node(path, body string) NodeFile {
	return NodeFile{Path: path, Data: []byte(`<?xml version="1.0"?>` + "\n" + body)}
}

// nodeOrder lists the source files of the profile's files, in order, without the built-in base.
func fileOrder(p *Profile) string {
	var out []string
	for _, f := range p.Files {
		if f.Path != "/etc/palletizer-release" {
			out = append(out, f.Path)
		}
	}
	return strings.Join(out, " ")
}

func TestGraphOrderExtendReplace(t *testing.T) {
	in := siteInput(
		node("site/graph.xml", `<graph>
  <edge from="compute"><to>b</to><to cond="fast">a</to><to cond="not fast">never</to></edge>
  <edge to="c"><from>a</from></edge>
  <order head="c" tail="a"/>
  <order head="HEAD"><tail>z</tail></order>
  <edge from="compute" to="z"/>
</graph>`),
		node("site/a.xml", `<kickstart><file name="/a"/></kickstart>`),
		node("site/b.xml", `<kickstart><file name="/b"/></kickstart>`),
		node("site/c.xml", `<kickstart><file name="/c"/></kickstart>`),
		node("site/z.xml", `<kickstart><file name="/z"/></kickstart>`),
		node("site/extend-b.xml", `<kickstart><file name="/b-extended"/></kickstart>`),
		node("site/extend-base.xml", `<kickstart><file name="/last"/></kickstart>`),
	)
	p := mustBuild(t, in)
	// z is ordered after HEAD, so it leads; c before a by the order edge; b by name; base
	// (with its extension) before TAIL, so last.
	if got, want := fileOrder(p), "/z /b /b-extended /c /a /last"; got != want {
		t.Errorf("order = %q, want %q", got, want)
	}

	in.Nodes = append(in.Nodes, node("site/replace-b.xml", `<kickstart><file name="/b-replaced"/></kickstart>`))
	if got, want := fileOrder(mustBuild(t, in)), "/z /b-replaced /b-extended /c /a /last"; got != want {
		t.Errorf("with replace-b: order = %q, want %q", got, want)
	}
	// The same Set reuses its parse of unchanged files and sees changed ones.
	s := NewSet()
	mustSet(t, s, in)
	in.Nodes[1] = node("site/a.xml", `<kickstart><file name="/a2"/></kickstart>`)
	if got := fileOrder(mustSet(t, s, in)); !strings.Contains(got, "/a2") {
		t.Errorf("changed file not re-read: %s", got)
	}
}

func mustSet(t *testing.T, s *Set, in Input) *Profile {
	t.Helper()
	p, err := s.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestGraphErrors(t *testing.T) {
	missing := siteInput(node("site/graph.xml", "<graph>\n<edge from=\"compute\" to=\"nowhere\"/>\n</graph>"))
	_, err := Build(missing)
	var pe *Error
	if !errors.As(err, &pe) || !errors.Is(err, ErrGraph) || pe.Line != 3 || !strings.Contains(pe.Msg, `"nowhere"`) {
		t.Errorf("missing node: %v", err)
	}
	cycle := siteInput(
		node("site/graph.xml", `<graph>
<edge from="compute"><to>a</to><to>b</to><to>c</to></edge>
<order head="a" tail="b"/>
<order head="b" tail="c"/>
<order head="c" tail="a"/>
</graph>`),
		node("site/a.xml", `<kickstart/>`), node("site/b.xml", `<kickstart/>`), node("site/c.xml", `<kickstart/>`))
	_, err = Build(cycle)
	if !errors.Is(err, ErrGraph) || !strings.Contains(err.Error(), "a -> b -> c -> a") {
		t.Errorf("cycle: %v", err)
	}
	dup := siteInput(node("site/zookeeper.xml", `<kickstart/>`))
	if _, err := Build(dup); !errors.Is(err, ErrGraph) || !strings.Contains(err.Error(), "replace-zookeeper.xml") {
		t.Errorf("built-in name: %v", err)
	}
}

// The Stacki 5.x syntax, entities in attributes, escaping and the XML built-in entities.
func TestStack5Syntax(t *testing.T) {
	in := siteInput(node("site/extend-base.xml", `<stack:stack xmlns:stack="http://www.stacki.com">
<stack:description>ignored &amp; fine</stack:description>
<stack:package stack:type="meta">core</stack:package>
<stack:package stack:enable="false">NetworkManager</stack:package>
<stack:package>
  tmux
  vim-enhanced
</stack:package>
<stack:package stack:arch="aarch64">only-arm</stack:package>
<stack:package stack:os="ubuntu,sles">only-others</stack:package>
<stack:package stack:os="redhat" stack:arch="x86_64,aarch64" stack:cond="fast">both</stack:package>
<stack:native stack:lang="kickstart">
selinux --disabled
firewall --disabled
</stack:native>
<stack:script stack:stage="install-pre" stack:shell="/usr/bin/python3">print("pre &#x41;&#65;")</stack:script>
<stack:script stack:stage="install-post" stack:chroot="false">
cp /tmp/x /mnt/sysimage/tmp/x &amp;&amp; echo &lt;ok&gt;
<stack:file stack:name="/etc/note-&hostname;" stack:mode="append" stack:owner="root:wheel" stack:perms="0640" stack:vars="expanded">
&note; $HOME &quot;&apos;
</stack:file>
<stack:file stack:name="/etc/empty"/>
<stack:file stack:name="/etc/date" stack:expr="date +%s"/>
</stack:script>
<stack:script stack:stage="boot-post">systemctl start x</stack:script>
</stack:stack>`))
	p := mustBuild(t, in)
	var pk []string
	for _, x := range p.Packages {
		s := x.Name
		if x.Group {
			s = "@" + s
		}
		if x.Disabled {
			s = "-" + s
		}
		pk = append(pk, s)
	}
	if got, want := strings.Join(pk, " "), "@core -NetworkManager tmux vim-enhanced both"; got != want {
		t.Errorf("packages = %q, want %q", got, want)
	}
	if got := strings.Join(p.NativeCommands, "|"); got != "selinux --disabled|firewall --disabled" {
		t.Errorf("native = %q", got)
	}
	if len(p.Scripts) != 3 || p.Scripts[0].Stage != StageInstallPre || p.Scripts[0].Interpreter != "/usr/bin/python3" || p.Scripts[0].Steps[0].Text != `print("pre AA")` {
		t.Fatalf("scripts = %+v", p.Scripts)
	}
	post := p.Scripts[1]
	if !post.NoChroot || post.Steps[0].Text != "cp /tmp/x /mnt/sysimage/tmp/x && echo <ok>" {
		t.Errorf("post = %+v", post)
	}
	f := post.Steps[1].File
	if f.Path != "/etc/note-backend-0-3" || !f.Append || f.Owner != "root:wheel" || f.Perms != "0640" || !f.Expanded ||
		f.Content != "a<b & \"c\" $HOME \"'\n" {
		t.Errorf("file = %+v", f)
	}
	if e := post.Steps[2].File; e.Path != "/etc/empty" || e.Content != "" {
		t.Errorf("empty file = %+v", e)
	}
	if e := post.Steps[3].File; e.Expr != "date +%s" {
		t.Errorf("expr file = %+v", e)
	}
	if p.Scripts[2].Stage != StageBootPost {
		t.Errorf("last script stage %s", p.Scripts[2].Stage)
	}
	if p.Attributes["rack"].Value != "0" || p.Attributes["rank"].Value != "3" {
		t.Errorf("rack/rank from backend-0-3: %v %v", p.Attributes["rack"], p.Attributes["rank"])
	}
}

// An entity's value cannot inject markup or elements: it arrives as text.
func TestEntityValueIsText(t *testing.T) {
	in := siteInput(node("site/extend-base.xml", `<kickstart><file name="/x">&note;</file></kickstart>`))
	in.Layers[0].Values["note"] = `</file><file name="/etc/shadow">pwned`
	p := mustBuild(t, in)
	if f := p.Files[len(p.Files)-1]; f.Path != "/x" || f.Content != `</file><file name="/etc/shadow">pwned`+"\n" {
		t.Errorf("files = %+v", p.Files)
	}
}
