// Package cloudinit renders a profile.Profile as cloud-init user-data: a #cloud-config document,
// or the multipart, gzip-compressed form EC2 takes within its 16 KiB budget.
package cloudinit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/palletizer/palletizer/profile"
)

// Options changes how user-data is rendered. The zero value targets the cloud-init the host's OS
// ships, keeps the profile's repository URLs, defers every file when the profile installs
// packages, chooses multipart and gzip only when needed, and budgets 16384 bytes (EC2).
type Options struct {
	// Version is the target cloud-init version ("19.4"); empty means the one the OS ships (see
	// the table in version.go). Keys the version lacks are not emitted: the same effect is
	// reached with commands instead.
	Version string
	// MirrorURL, when set, replaces each repository's base URL with MirrorURL/<repository name>/,
	// the layout of palletizer's out/repos/ tree.
	MirrorURL string
	// Defer reports whether a file must be written after packages install, because a package
	// installs the same path (mesos's /etc/mesos/zk, zookeeper's zoo.cfg) and would overwrite it.
	// Nil means every file is deferred when the profile installs any package: the renderer cannot
	// see package file lists, and writing late is always correct, only later.
	Defer func(profile.File) bool
	// Multipart chooses the user-data form; see UserData.
	Multipart Multipart
	// Gzip chooses compression; see UserData.
	Gzip Gzip
	// Limit is the user-data budget in bytes; 0 means EC2's 16384.
	Limit int
}

// scriptDir holds scripts with a non-shell interpreter, written by write_files and run by runcmd.
const scriptDir = "/var/lib/palletizer/scripts"

// config is the #cloud-config document. Field order is output order; maps (repositories) are
// written in sorted key order by yaml.v3, so the output is deterministic.
type config struct {
	Hostname       string             `yaml:"hostname,omitempty"`
	FQDN           string             `yaml:"fqdn,omitempty"`
	ManageEtcHosts bool               `yaml:"manage_etc_hosts,omitempty"`
	Timezone       string             `yaml:"timezone,omitempty"`
	Locale         string             `yaml:"locale,omitempty"`
	Users          []any              `yaml:"users,omitempty"`
	Bootcmd        [][]string         `yaml:"bootcmd,omitempty"`
	YumRepos       map[string]yumRepo `yaml:"yum_repos,omitempty"`
	Apt            *aptConfig         `yaml:"apt,omitempty"`
	AptSources     []aptSourceV1      `yaml:"apt_sources,omitempty"`
	Packages       []string           `yaml:"packages,omitempty"`
	WriteFiles     []writeFile        `yaml:"write_files,omitempty"`
	Runcmd         [][]string         `yaml:"runcmd,omitempty"`
}

type rootUser struct {
	Name         string `yaml:"name"`
	HashedPasswd string `yaml:"hashed_passwd"`
	LockPasswd   bool   `yaml:"lock_passwd"`
}

type yumRepo struct {
	Name     string `yaml:"name"`
	BaseURL  string `yaml:"baseurl"`
	Enabled  bool   `yaml:"enabled"`
	GPGCheck bool   `yaml:"gpgcheck"`
	GPGKey   string `yaml:"gpgkey,omitempty"`
}

type aptConfig struct {
	Sources map[string]aptSource `yaml:"sources"`
}

type aptSource struct {
	Source string `yaml:"source"`
}

// aptSourceV1 is the list form cloud-init before 0.7.8 reads.
type aptSourceV1 struct {
	Source   string `yaml:"source"`
	Filename string `yaml:"filename"`
}

type writeFile struct {
	Path        string `yaml:"path"`
	Content     string `yaml:"content"`
	Encoding    string `yaml:"encoding,omitempty"`
	Owner       string `yaml:"owner,omitempty"`
	Permissions string `yaml:"permissions,omitempty"`
	Append      bool   `yaml:"append,omitempty"`
	Defer       bool   `yaml:"defer,omitempty"`
}

// action is one step of the final stage, after packages are installed: as a runcmd entry in a
// #cloud-config, or as a text/x-shellscript part in multipart user-data.
type action struct {
	name   string   // part file name suffix: "files", "post", "services"
	interp []string // interpreter and its arguments
	body   string
	shell  bool // body is shell text (runs as interp -c body)
	source string
}

// document is everything rendered for one host before it is serialized.
type document struct {
	cfg     config
	actions []action
	parts   []contributor // what the user-data is made of, for the budget error
}

// Render returns p as a #cloud-config document. It carries the root password hash when the
// profile has one: write it with mode 0600.
func Render(p *profile.Profile, opts Options) ([]byte, error) {
	d, err := build(p, opts)
	if err != nil {
		return nil, err
	}
	cfg := d.cfg
	for i, a := range d.actions {
		if a.shell {
			cfg.Runcmd = append(cfg.Runcmd, append(append([]string(nil), a.interp...), "-c", a.body))
			continue
		}
		// runcmd runs shell; a script for another interpreter is written first and run by path.
		scriptPath := fmt.Sprintf("%s/%02d-%s", scriptDir, i+1, a.name)
		cfg.WriteFiles = append(cfg.WriteFiles, writeFile{Path: scriptPath, Content: a.body, Permissions: "0700"})
		cfg.Runcmd = append(cfg.Runcmd, append(append([]string(nil), a.interp...), scriptPath))
	}
	return marshal(cfg)
}

func marshal(cfg config) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("#cloud-config\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(cfg); err != nil {
		return nil, fmt.Errorf("encoding cloud-config: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encoding cloud-config: %w", err)
	}
	return b.Bytes(), nil
}

func build(p *profile.Profile, opts Options) (*document, error) {
	v, err := targetVersion(p, opts)
	if err != nil {
		return nil, err
	}
	d := &document{}
	c := &d.cfg
	n := p.Native

	fqdn := n.Hostname
	if fqdn == "" {
		fqdn = p.Host
	}
	c.Hostname, _, _ = strings.Cut(fqdn, ".")
	if strings.Contains(fqdn, ".") {
		c.FQDN = fqdn
	}
	c.ManageEtcHosts = c.Hostname != ""
	c.Timezone = n.Timezone
	c.Locale = n.Lang
	if n.RootPasswordHash != "" {
		if !strings.HasPrefix(n.RootPasswordHash, "$") {
			return nil, fmt.Errorf("host %q: root password hash is not in crypt(3) form ($6$...); hash it (openssl passwd -6) in the recipe", p.Host)
		}
		// "default" keeps the image's login user (ec2-user, centos, ubuntu) and its SSH key.
		c.Users = []any{"default", rootUser{Name: "root", HashedPasswd: n.RootPasswordHash}}
	}

	if err := d.repositories(p, opts, v); err != nil {
		return nil, err
	}
	installs := false
	for _, pk := range p.Packages {
		if pk.Disabled || pk.Name == "" {
			continue // nothing installs a package cloud-init is not asked for
		}
		name := pk.Name
		if pk.Group {
			if p.OS.Family != "redhat" {
				return nil, fmt.Errorf("host %q: package group %q: %s has no package groups; name the packages instead", p.Host, pk.Name, p.OS.Name)
			}
			name = "@" + pk.Name
		}
		if !contains(c.Packages, name) {
			c.Packages = append(c.Packages, name)
			installs = true
		}
	}
	if len(c.Packages) > 0 {
		d.parts = append(d.parts, contributor{Name: "package list", Bytes: len(strings.Join(c.Packages, "\n"))})
	}

	deferFile := opts.Defer
	if deferFile == nil {
		deferFile = func(profile.File) bool { return installs }
	}
	var late strings.Builder // files only a shell can write, after packages
	for _, f := range p.Files {
		if f.Path == "" || !path.IsAbs(f.Path) {
			return nil, fmt.Errorf("host %q: file path %q is not absolute (from %s)", p.Host, f.Path, where(f.Source))
		}
		d.parts = append(d.parts, contributor{Name: "file " + f.Path, Bytes: len(f.Content)})
		deferred := deferFile(f)
		viaShell := f.Expanded || // only a shell expands variables
			deferred && !v.atLeast(sinceDefer) ||
			f.Append && !v.atLeast(sinceWriteAppend)
		if viaShell {
			late.WriteString(shellFile(f))
			continue
		}
		wf := writeFile{Path: f.Path, Content: f.Content, Owner: f.Owner, Permissions: f.Perms, Append: f.Append, Defer: deferred}
		if binary(f.Content) {
			wf.Content, wf.Encoding = base64.StdEncoding.EncodeToString([]byte(f.Content)), "b64"
		}
		c.WriteFiles = append(c.WriteFiles, wf)
	}
	if late.Len() > 0 {
		d.actions = append(d.actions, action{name: "files", interp: []string{"sh"}, body: late.String(), shell: true})
	}

	if err := d.scripts(p); err != nil {
		return nil, err
	}

	var svc strings.Builder
	for _, s := range p.Services {
		cmds, err := profile.ServiceCommands(p.OS, s, true)
		if err != nil {
			return nil, fmt.Errorf("host %q: %w", p.Host, err)
		}
		for _, c := range cmds {
			svc.WriteString(c + "\n")
		}
	}
	if svc.Len() > 0 {
		d.actions = append(d.actions, action{name: "services", interp: []string{"sh"}, body: svc.String(), shell: true})
		d.parts = append(d.parts, contributor{Name: "services", Bytes: svc.Len()})
	}
	return d, nil
}

func (d *document) repositories(p *profile.Profile, opts Options, v version) error {
	for _, r := range p.Repositories {
		u := r.BaseURL
		if opts.MirrorURL != "" {
			u = strings.TrimRight(opts.MirrorURL, "/") + "/" + r.Name + "/"
		}
		if r.Name == "" || strings.ContainsAny(r.Name, "/ \t\n") || strings.ContainsAny(u, " \t\n") || u == "" {
			return fmt.Errorf("host %q: repository %q (%q) needs a name without blanks or slashes and a URL", p.Host, r.Name, u)
		}
		switch {
		case p.OS.Family == "redhat" && (r.Type == "rpm" || r.Type == ""):
			if d.cfg.YumRepos == nil {
				d.cfg.YumRepos = map[string]yumRepo{}
			}
			d.cfg.YumRepos[r.Name] = yumRepo{Name: r.Name, BaseURL: u, Enabled: true, GPGCheck: r.GPGCheck, GPGKey: r.GPGKey}
		case p.OS.Family != "redhat" && r.Type == "deb":
			opt := ""
			if !r.GPGCheck {
				// A site mirror without a key: apt must be told, or it refuses the repository.
				opt = "[trusted=yes] "
			}
			if r.Suite == "" {
				return fmt.Errorf("host %q: deb repository %q has no suite (e.g. jammy)", p.Host, r.Name)
			}
			line := strings.TrimSpace("deb " + opt + u + " " + r.Suite + " " + strings.Join(r.Components, " "))
			if v.atLeast(sinceAptV3) {
				if d.cfg.Apt == nil {
					d.cfg.Apt = &aptConfig{Sources: map[string]aptSource{}}
				}
				d.cfg.Apt.Sources[r.Name+".list"] = aptSource{Source: line}
			} else {
				d.cfg.AptSources = append(d.cfg.AptSources, aptSourceV1{Source: line, Filename: r.Name + ".list"})
			}
		default:
			return fmt.Errorf("host %q: repository %q of type %q does not fit %s (family %q)", p.Host, r.Name, r.Type, p.OS.Name, p.OS.Family)
		}
	}
	return nil
}

// scripts places the node graph's scripts: pre stages early in boot, guarded to run once per
// instance (bootcmd runs on every boot); post stages after packages and files.
func (d *document) scripts(p *profile.Profile) error {
	rank := map[profile.Stage]int{profile.StageInstallPre: 0, profile.StageInstallPrePackage: 1, profile.StageBootPre: 2,
		profile.StageInstallPost: 3, "": 3, profile.StageBootPost: 4}
	ordered := make([]profile.Script, 0, len(p.Scripts))
	for r := 0; r <= 4; r++ {
		for _, s := range p.Scripts {
			if rr, ok := rank[s.Stage]; !ok {
				return fmt.Errorf("host %q: script at %s has unknown stage %q", p.Host, where(s.Source), s.Stage)
			} else if rr == r {
				ordered = append(ordered, s)
			}
		}
	}
	pre := 0
	for i, s := range ordered {
		shell := profile.IsShell(s.Interpreter)
		if !shell && s.HasFiles() {
			return fmt.Errorf("host %q: script at %s runs under %s but writes files, which needs a shell; move the file elements into a shell script",
				p.Host, where(s.Source), s.Interpreter)
		}
		interp := strings.Fields(s.Interpreter)
		if len(interp) == 0 {
			interp = []string{"sh"}
		}
		body := s.Shell()
		stage := string(s.Stage)
		if stage == "" {
			stage = string(profile.StageInstallPost)
		}
		d.parts = append(d.parts, contributor{Name: fmt.Sprintf("script %s at %s", stage, where(s.Source)), Bytes: len(body)})
		if rank[s.Stage] <= 2 {
			pre++
			sem := fmt.Sprintf("palletizer-%s-%02d", stage, pre)
			if shell {
				d.cfg.Bootcmd = append(d.cfg.Bootcmd, append([]string{"cloud-init-per", "instance", sem}, append(interp, "-c", body)...))
				continue
			}
			// bootcmd comes before write_files, so the script writes itself and then runs.
			file := profile.File{Path: fmt.Sprintf("%s/%s", scriptDir, sem), Content: "#!" + s.Interpreter + "\n" + body, Perms: "0700"}
			run := file.Shell() + "exec " + strings.Join(quoteAll(interp), " ") + " " + profile.ShellQuote(file.Path) + "\n"
			d.cfg.Bootcmd = append(d.cfg.Bootcmd, []string{"cloud-init-per", "instance", sem, "sh", "-c", run})
			continue
		}
		a := action{name: fmt.Sprintf("%s-%02d", stage, i+1), interp: interp, body: body, shell: shell, source: where(s.Source)}
		if !shell {
			a.body = "#!" + s.Interpreter + "\n" + body
		}
		d.actions = append(d.actions, a)
	}
	return nil
}

// shellFile is f as shell text; binary content, which no here-document can carry, is decoded
// from base64.
func shellFile(f profile.File) string {
	if !binary(f.Content) {
		return f.Shell()
	}
	enc := base64.StdEncoding.EncodeToString([]byte(f.Content))
	var lines []string
	for len(enc) > 76 {
		lines, enc = append(lines, enc[:76]), enc[76:]
	}
	lines = append(lines, enc)
	redirect := ">"
	if f.Append {
		redirect = ">>"
	}
	p := profile.ShellQuote(f.Path)
	s := "mkdir -p " + profile.ShellQuote(path.Dir(f.Path)) + "\n" +
		"base64 -d " + redirect + " " + p + " << '__EOF__'\n" + strings.Join(lines, "\n") + "\n__EOF__\n"
	if f.Owner != "" {
		s += "chown " + profile.ShellQuote(f.Owner) + " " + p + "\n"
	}
	if f.Perms != "" {
		s += "chmod " + profile.ShellQuote(f.Perms) + " " + p + "\n"
	}
	return s
}

// binary reports whether content cannot travel as YAML text: invalid UTF-8 or control
// characters other than tab and newline.
func binary(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r == 0xFEFF {
			return true
		}
	}
	return false
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = profile.ShellQuote(s)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func where(s profile.Source) string {
	if s.File == "" {
		return "(built-in)"
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}
