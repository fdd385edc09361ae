package kickstart

// The script sections: %pre, %pre-install, the %post that writes the profile's files and
// repositories, the node graph's %post scripts, and the first-boot hook for boot-stage scripts.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/palletizer/palletizer/profile"
)

// firstbootDir holds boot-pre and boot-post scripts, which Stacki ran on the first boot after
// the install rather than inside the installer.
const firstbootDir = "/var/lib/palletizer/firstboot"

var stageRank = map[profile.Stage]int{
	profile.StageInstallPre:        0,
	profile.StageInstallPrePackage: 1,
	profile.StageInstallPost:       2,
	profile.StageBootPre:           3,
	profile.StageBootPost:          4,
}

func scriptSections(p *profile.Profile, opts Options, major int) ([]section, error) {
	scripts := append([]profile.Script(nil), p.Scripts...)
	for i, s := range scripts {
		if s.Stage == "" {
			scripts[i].Stage = profile.StageInstallPost // Stacki's default stage
		}
		if _, ok := stageRank[scripts[i].Stage]; !ok {
			return nil, fmt.Errorf("host %q: script at %s has unknown stage %q", p.Host, where(s.Source), s.Stage)
		}
		if !profile.IsShell(s.Interpreter) && s.HasFiles() {
			return nil, fmt.Errorf("host %q: script at %s runs under %s but writes files, which needs a shell; move the file elements into a shell script",
				p.Host, where(s.Source), s.Interpreter)
		}
	}
	sort.SliceStable(scripts, func(i, j int) bool { return stageRank[scripts[i].Stage] < stageRank[scripts[j].Stage] })

	var out []section
	n := 0
	header := func(kind string, s profile.Script) string {
		n++
		h := "%" + kind
		if s.NoChroot && kind == "post" {
			h += " --nochroot"
		}
		if s.Interpreter != "" {
			h += " --interpreter=" + s.Interpreter
		}
		log := fmt.Sprintf("/var/log/%s-%s-%02d.log", opts.logName(), kind, n)
		if s.NoChroot && kind == "post" {
			log = "/mnt/sysimage" + log
		}
		return h + " --log=" + log
	}
	script := func(kind string, s profile.Script) section {
		body := s.Shell()
		return section{name: kind, text: header(kind, s) + "\n" + comment(s) + body + "%end\n"}
	}

	filesDone := false
	for _, s := range scripts {
		switch s.Stage {
		case profile.StageInstallPre:
			out = append(out, script("pre", s))
		case profile.StageInstallPrePackage:
			if major < 7 {
				return nil, fmt.Errorf("host %q: script at %s has stage install-pre-package, which EL6 kickstart (no %%pre-install) cannot run; use install-pre or install-post",
					p.Host, where(s.Source))
			}
			out = append(out, script("pre-install", s))
		case profile.StageInstallPost:
			if !filesDone {
				out = append(out, filesSection(p, opts, header)...)
				filesDone = true
			}
			out = append(out, script("post", s))
		}
	}
	if !filesDone {
		out = append(out, filesSection(p, opts, header)...)
	}
	if p.OS.Init == "upstart" && len(p.Services) > 0 {
		// Anaconda's services command runs chkconfig, which does not know upstart jobs such as
		// EL6's mesos-master; the override files switch those.
		var b strings.Builder
		for _, svc := range p.Services {
			cmds, err := profile.ServiceCommands(p.OS, svc, false)
			if err != nil {
				return nil, fmt.Errorf("host %q: %w", p.Host, err)
			}
			for _, c := range cmds {
				b.WriteString(c + "\n")
			}
		}
		out = append(out, section{name: "post", text: header("post", profile.Script{}) + "\n# services (upstart jobs)\n" + b.String() + "%end\n"})
	}
	boot, err := firstboot(p, scripts)
	if err != nil {
		return nil, err
	}
	if boot != "" {
		out = append(out, section{name: "post", text: header("post", profile.Script{}) + "\n" + boot + "%end\n"})
	}
	return out, nil
}

func where(s profile.Source) string {
	if s.File == "" {
		return "(built-in)"
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

// comment names the node file a script came from, so an install log points back at the source.
func comment(s profile.Script) string {
	if s.Source.File == "" || !profile.IsShell(s.Interpreter) {
		return ""
	}
	return "# from " + where(s.Source) + "\n"
}

// filesSection is the %post that writes the profile's repository definitions and Files. Anaconda
// forgets its repo commands after the install, so the installed host gets them as .repo files.
func filesSection(p *profile.Profile, opts Options, header func(string, profile.Script) string) []section {
	var b strings.Builder
	for _, r := range p.Repositories {
		b.WriteString(repoFile(r, opts).Shell())
	}
	for _, f := range p.Files {
		b.WriteString(f.Shell())
	}
	if b.Len() == 0 {
		return nil
	}
	return []section{{name: "post", text: header("post", profile.Script{}) + "\n# files\n" + b.String() + "%end\n"}}
}

// repoFile is the yum repository file for r on the installed host.
func repoFile(r profile.Repository, opts Options) profile.File {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]\nname=%s\nbaseurl=%s\nenabled=1\n", r.Name, r.Name, repoURL(r, opts))
	if r.GPGCheck {
		b.WriteString("gpgcheck=1\n")
	} else {
		b.WriteString("gpgcheck=0\n")
	}
	if r.GPGKey != "" {
		fmt.Fprintf(&b, "gpgkey=%s\n", r.GPGKey)
	}
	return profile.File{Path: "/etc/yum.repos.d/" + r.Name + ".repo", Content: b.String(), Perms: "0644"}
}

// firstboot writes boot-pre then boot-post scripts and a hook that runs them once on the first
// boot: a oneshot systemd unit, or an rc.local line on older init systems.
func firstboot(p *profile.Profile, scripts []profile.Script) (string, error) {
	var b strings.Builder
	n := 0
	for _, s := range scripts {
		if s.Stage != profile.StageBootPre && s.Stage != profile.StageBootPost {
			continue
		}
		n++
		interp := s.Interpreter
		if interp == "" {
			interp = "/bin/sh"
		}
		f := profile.File{
			Path:    fmt.Sprintf("%s/%02d-%s", firstbootDir, n, s.Stage),
			Content: "#!" + interp + "\n" + comment(s) + s.Shell(),
			Perms:   "0700",
		}
		b.WriteString(f.Shell())
	}
	if n == 0 {
		return "", nil
	}
	run := profile.File{Path: firstbootDir + "/run", Perms: "0700", Content: "#!/bin/sh\n" +
		"# Runs the boot-pre and boot-post scripts once, on the first boot after the install.\n" +
		"[ -e " + firstbootDir + "/done ] && exit 0\n" +
		"for s in " + firstbootDir + "/[0-9]*; do\n" +
		"\t\"$s\" >> /var/log/palletizer-firstboot.log 2>&1\n" +
		"done\n" +
		"touch " + firstbootDir + "/done\n"}
	b.WriteString(run.Shell())
	switch p.OS.Init {
	case "systemd":
		unit := profile.File{Path: "/etc/systemd/system/palletizer-firstboot.service", Perms: "0644", Content: "[Unit]\n" +
			"Description=palletizer first-boot scripts (boot-pre, boot-post)\n" +
			"Wants=network-online.target\nAfter=network-online.target\n" +
			"ConditionPathExists=!" + firstbootDir + "/done\n\n" +
			"[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=" + firstbootDir + "/run\n\n" +
			"[Install]\nWantedBy=multi-user.target\n"}
		b.WriteString(unit.Shell())
		b.WriteString("systemctl enable palletizer-firstboot.service\n")
	default:
		rc := profile.File{Path: "/etc/rc.d/rc.local", Append: true, Perms: "0755", Content: firstbootDir + "/run\n"}
		b.WriteString(rc.Shell())
	}
	return b.String(), nil
}
