package profile

// The shell forms of a Profile's files, scripts and services. Kickstart and cloud-init render the
// same Profile, and both end up running shell for Stacki's <file> semantics (stacki.md §2), so
// the text is produced here, once, and the two renderers agree byte for byte.

import (
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// ErrUnknownInit is returned for an init system ServiceCommands cannot drive.
var ErrUnknownInit = errors.New("unknown init system")

// HeredocDelimiter returns a here-document delimiter that no line of content equals, so the
// content cannot end the document early. It starts from __EOF__ and grows a counter on collision.
func HeredocDelimiter(content string) string {
	lines := make(map[string]bool)
	for _, l := range strings.Split(content, "\n") {
		if strings.HasPrefix(l, "__EOF") {
			lines[l] = true
		}
	}
	d := "__EOF__"
	for i := 1; lines[d]; i++ {
		d = "__EOF_" + strconv.Itoa(i) + "__"
	}
	return d
}

// ShellQuote quotes s as one POSIX shell word. Words made only of characters the shell never
// interprets are left bare so the common paths stay readable.
func ShellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_@%+=:,./-", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Shell returns the shell commands that write f the way Stacki's <file> element does: create the
// parent directory, write the content through a here-document (appending when f.Append, with the
// shell expanding variables only when f.Expanded), touch the file when the content is empty, then
// set owner and permissions. A here-document always ends with a newline, so content lacking a
// final newline gets one, as it did under Stacki.
func (f File) Shell() string {
	var b strings.Builder
	p := ShellQuote(f.Path)
	if dir := path.Dir(f.Path); dir != "/" && dir != "." {
		fmt.Fprintf(&b, "mkdir -p %s\n", ShellQuote(dir))
	}
	if f.Content == "" {
		fmt.Fprintf(&b, "touch %s\n", p)
	} else {
		redirect := ">"
		if f.Append {
			redirect = ">>"
		}
		delim := HeredocDelimiter(f.Content)
		opener := "'" + delim + "'"
		if f.Expanded {
			opener = delim
		}
		fmt.Fprintf(&b, "cat %s %s << %s\n", redirect, p, opener)
		b.WriteString(f.Content)
		if !strings.HasSuffix(f.Content, "\n") {
			b.WriteByte('\n')
		}
		b.WriteString(delim)
		b.WriteByte('\n')
	}
	if f.Owner != "" {
		fmt.Fprintf(&b, "chown %s %s\n", ShellQuote(f.Owner), p)
	}
	if f.Perms != "" {
		fmt.Fprintf(&b, "chmod %s %s\n", ShellQuote(f.Perms), p)
	}
	return b.String()
}

// Shell returns the script's body: its text and its files in document order.
func (s Script) Shell() string {
	var b strings.Builder
	for _, st := range s.Steps {
		if st.File != nil {
			b.WriteString(st.File.Shell())
			continue
		}
		b.WriteString(st.Text)
		if st.Text != "" && !strings.HasSuffix(st.Text, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// HasFiles reports whether any step writes a file, which only a shell can do.
func (s Script) HasFiles() bool {
	for _, st := range s.Steps {
		if st.File != nil {
			return true
		}
	}
	return false
}

// IsShell reports whether an interpreter path names a Bourne-style shell (or is empty, the
// installer's default shell), i.e. whether the script body may contain Shell() file steps.
func IsShell(interpreter string) bool {
	f := strings.Fields(interpreter)
	if len(f) == 0 {
		return true
	}
	switch path.Base(f[0]) {
	case "sh", "bash", "dash", "ash", "ksh":
		return true
	}
	return false
}

// ServiceCommands returns the shell commands that switch svc on or off at boot on os. With now,
// they also start or stop it, for a system that is already running (cloud-init) rather than
// being installed (kickstart %post, where nothing may be started).
//
// On an upstart host (EL6, Ubuntu 14.04) a service is either an upstart job (mesos-master ships
// /etc/init/mesos-master.conf) or a SysV script (zookeeper-server), so the command checks which
// at run time: a job is disabled by writing "manual" to /etc/init/<job>.override.
func ServiceCommands(os OS, svc Service, now bool) ([]string, error) {
	name := ShellQuote(svc.Name)
	if svc.Name == "" {
		return nil, fmt.Errorf("service with no name at %s:%d: give the node's service element a name", svc.Source.File, svc.Source.Line)
	}
	sysv := func(on bool) string {
		if os.Family == "ubuntu" || os.Family == "debian" {
			if on {
				return "update-rc.d " + name + " enable"
			}
			return "update-rc.d " + name + " disable"
		}
		if on {
			return "chkconfig " + name + " on"
		}
		return "chkconfig " + name + " off"
	}
	var cmds []string
	switch os.Init {
	case "systemd":
		if svc.Enable {
			cmds = append(cmds, "systemctl enable "+name)
			if now {
				cmds = append(cmds, "systemctl start "+name)
			}
		} else {
			cmds = append(cmds, "systemctl disable "+name)
			if now {
				cmds = append(cmds, "systemctl stop "+name)
			}
		}
	case "upstart":
		job := "/etc/init/" + svc.Name
		conf, override := ShellQuote(job+".conf"), ShellQuote(job+".override")
		if svc.Enable {
			cmds = append(cmds, fmt.Sprintf("if [ -f %s ]; then rm -f %s; else %s; fi", conf, override, sysv(true)))
			if now {
				cmds = append(cmds, fmt.Sprintf("if [ -f %s ]; then start %s; else service %s start; fi", conf, name, name))
			}
		} else {
			cmds = append(cmds, fmt.Sprintf("if [ -f %s ]; then echo manual > %s; else %s; fi", conf, override, sysv(false)))
			if now {
				cmds = append(cmds, fmt.Sprintf("if [ -f %s ]; then stop %s; else service %s stop; fi", conf, name, name))
			}
		}
	case "sysvinit":
		cmds = append(cmds, sysv(svc.Enable))
		if now {
			action := "stop"
			if svc.Enable {
				action = "start"
			}
			cmds = append(cmds, "service "+name+" "+action)
		}
	default:
		return nil, fmt.Errorf("switching service %q on %s %s: %w %q; the OS must say systemd, upstart or sysvinit",
			svc.Name, os.Name, os.Release, ErrUnknownInit, os.Init)
	}
	return cmds, nil
}
