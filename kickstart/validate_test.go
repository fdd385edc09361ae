package kickstart

// A structural kickstart checker for the tests. pykickstart's ksvalidator is not packaged for
// Debian 12, so this holds the rules our output must keep: only commands the target release
// knows, options anaconda accepts for them, every section opened by a known header and closed by
// %end before the next, and single-use commands not repeated by palletizer itself.

import (
	"fmt"
	"strings"
	"testing"
)

// commandsByRelease lists the commands and options palletizer emits, with the releases that
// accept them (0 = all of 6..10), per the RHEL 6, 7, 8 and 9 installation guides.
var knownCommands = map[string]struct {
	min, max int
	options  []string
}{
	"install":    {6, 7, nil},
	"cdrom":      {0, 0, nil},
	"url":        {0, 0, []string{"--url"}},
	"nfs":        {0, 0, []string{"--server", "--dir"}},
	"text":       {0, 0, nil},
	"skipx":      {0, 0, nil},
	"lang":       {0, 0, nil},
	"keyboard":   {0, 0, []string{"--vckeymap", "--xlayouts"}},
	"timezone":   {0, 0, []string{"--utc"}},
	"network":    {0, 0, []string{"--device", "--bootproto", "--ip", "--netmask", "--gateway", "--nameserver", "--hostname", "--noipv4", "--ipv6", "--ipv6gateway"}},
	"rootpw":     {0, 0, []string{"--iscrypted", "--lock"}},
	"authconfig": {6, 8, []string{"--enableshadow", "--passalgo"}},
	"auth":       {7, 8, []string{"--enableshadow", "--passalgo"}},
	"bootloader": {0, 0, []string{"--location"}},
	"zerombr":    {0, 0, nil},
	"clearpart":  {0, 0, []string{"--all", "--initlabel"}},
	"autopart":   {0, 0, nil},
	"part":       {0, 0, []string{"--fstype", "--size", "--grow"}},
	"repo":       {0, 0, []string{"--name", "--baseurl"}},
	"services":   {0, 0, []string{"--enabled", "--disabled"}},
	"reboot":     {0, 0, nil},
	// Pass-through native commands used by the fixtures.
	"firewall":  {0, 0, []string{"--disabled"}},
	"selinux":   {0, 0, []string{"--permissive"}},
	"firstboot": {0, 0, []string{"--disabled"}},
}

var singleUse = map[string]bool{"lang": true, "keyboard": true, "timezone": true, "rootpw": true, "bootloader": true,
	"autopart": true, "reboot": true, "cdrom": true, "url": true, "nfs": true, "services": true}

var sectionOptions = map[string][]string{
	"%packages": {"--ignoremissing"}, "%pre": {"--interpreter", "--log"}, "%pre-install": {"--interpreter", "--log"},
	"%post": {"--nochroot", "--interpreter", "--log"},
}

type ksSection struct{ header, body string }

// splitSections returns the command block (header "") and every %section with its body.
func splitSections(ks string) []ksSection {
	out := []ksSection{{}}
	in := false
	for _, l := range strings.SplitAfter(ks, "\n") {
		trim := strings.TrimSpace(l)
		switch {
		case !in && strings.HasPrefix(trim, "%"):
			out = append(out, ksSection{header: trim})
			in = true
		case in && trim == "%end":
			in = false
		default:
			out[len(out)-1].body += l
		}
	}
	return out
}

func validate(ks []byte, major int) error {
	text := string(ks)
	if !strings.HasSuffix(text, "\n") {
		return fmt.Errorf("no final newline")
	}
	open := ""
	seen := map[string]int{}
	for i, l := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		n := i + 1
		trim := strings.TrimSpace(l)
		if open != "" {
			if trim == "%end" {
				open = ""
				continue
			}
			// Inside a script a line starting with % would be read as a new section.
			if f := strings.Fields(trim); len(f) > 0 && sectionWords[f[0]] {
				return fmt.Errorf("line %d: %q inside %s", n, l, open)
			}
			continue
		}
		if trim == "" || strings.HasPrefix(trim, "#") {
			continue
		}
		f := strings.Fields(trim)
		if strings.HasPrefix(f[0], "%") {
			opts, ok := sectionOptions[f[0]]
			if !ok {
				return fmt.Errorf("line %d: unknown section %s", n, f[0])
			}
			if f[0] == "%pre-install" && major < 7 {
				return fmt.Errorf("line %d: %%pre-install needs EL7", n)
			}
			if err := checkOptions(f[1:], opts); err != nil {
				return fmt.Errorf("line %d: %s: %w", n, f[0], err)
			}
			open = f[0]
			continue
		}
		c, ok := knownCommands[f[0]]
		if !ok {
			return fmt.Errorf("line %d: unknown command %q", n, f[0])
		}
		if c.min != 0 && major < c.min || c.max != 0 && major > c.max {
			return fmt.Errorf("line %d: %s is not valid on EL%d", n, f[0], major)
		}
		if err := checkOptions(f[1:], c.options); err != nil {
			return fmt.Errorf("line %d: %s: %w", n, f[0], err)
		}
		if singleUse[f[0]] {
			if first, dup := seen[f[0]]; dup {
				return fmt.Errorf("line %d: %s repeats line %d", n, f[0], first)
			}
			seen[f[0]] = n
		}
	}
	if open != "" {
		return fmt.Errorf("%s is not closed with %%end", open)
	}
	if seen["rootpw"] == 0 {
		return fmt.Errorf("no rootpw: the installer would stop and ask")
	}
	if seen["cdrom"]+seen["url"]+seen["nfs"] == 0 {
		return fmt.Errorf("no install source")
	}
	return nil
}

func checkOptions(args, allowed []string) error {
	for _, a := range args {
		if !strings.HasPrefix(a, "--") {
			continue
		}
		name, _, _ := strings.Cut(a, "=")
		ok := false
		for _, o := range allowed {
			ok = ok || o == name
		}
		if !ok {
			return fmt.Errorf("unknown option %s", name)
		}
	}
	return nil
}

func TestValidatorCatchesErrors(t *testing.T) {
	for _, bad := range []struct {
		ks    string
		major int
	}{
		{"cdrom\nrootpw --lock\n%post\necho\n", 7},             // unclosed
		{"cdrom\nrootpw --lock\ninstall\n", 9},                 // install gone on EL8+
		{"cdrom\nrootpw --lock\nbogus\n", 7},                   // unknown command
		{"cdrom\nrootpw --lock\nnetwork --bootprot=dhcp\n", 7}, // unknown option
		{"cdrom\nrootpw --lock\nlang en_US\nlang de_DE\n", 7},  // repeated
		{"cdrom\n", 7}, // no rootpw
		{"cdrom\nrootpw --lock\n%post\n%pre\n%end\n", 7},                        // nested
		{"cdrom\nrootpw --lock\n%post\ncat > f << E\n%include x\nE\n%end\n", 7}, // read anywhere
		{"cdrom\nrootpw --lock\n%pre-install\n%end\n", 6},                       // EL6 has no %pre-install
	} {
		if err := validate([]byte(bad.ks), bad.major); err == nil {
			t.Errorf("validate accepted %q on EL%d", bad.ks, bad.major)
		}
	}
}
