package iso

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// Boot menus name the install medium by label. To make an installer run a kickstart, every
// kernel command line that loads anaconda's stage 2 (isolinux `append`, grub `linux` or
// `linuxefi`) gets inst.stage2 and inst.ks pointing at the new label, and grub's `search -l`
// finds the new label. lorax's mkksiso does the same edits; unlike it (issue #1292) we edit the
// grub.cfg inside efiboot.img too.

var (
	stage2Arg   = regexp.MustCompile(`(^|\s)inst\.stage2=\S+`)
	ksArg       = regexp.MustCompile(`(^|\s)(inst\.)?ks=\S+`)
	searchLabel = regexp.MustCompile(`(search\s.*-l\s+)('[^']*'|"[^"]*"|\S+)`)
)

// menuLabel escapes a volume label as isolinux and grub command lines spell it.
func menuLabel(label string) string {
	return strings.NewReplacer(" ", `\x20`, "\t", `\x09`).Replace(label)
}

// pointMenu rewrites a boot menu to install with the kickstart at ksPath on the medium
// labelled label. It returns how many kernel command lines it changed; a menu with none is an
// error, because the installer would then ignore the kickstart.
func pointMenu(cfg []byte, label, ksPath string) ([]byte, int, error) {
	esc := menuLabel(label)
	stage2 := "inst.stage2=hd:LABEL=" + esc
	ks := "inst.ks=hd:LABEL=" + esc + ":" + ksPath
	var out bytes.Buffer
	changed := 0
	for _, line := range strings.SplitAfter(string(cfg), "\n") {
		body := strings.TrimRight(line, "\r\n")
		eol := line[len(body):]
		trimmed := strings.TrimSpace(body)
		switch {
		case stage2Arg.MatchString(body) && isKernelLine(trimmed):
			body = ksArg.ReplaceAllString(body, "")
			body = stage2Arg.ReplaceAllString(body, "${1}"+stage2+" "+ks)
			changed++
		case strings.HasPrefix(trimmed, "search") && searchLabel.MatchString(body):
			body = searchLabel.ReplaceAllString(body, "${1}'"+strings.ReplaceAll(label, "'", `'\''`)+"'")
		}
		out.WriteString(body + eol)
	}
	if changed == 0 {
		return nil, 0, fmt.Errorf("no kernel command line with inst.stage2= to add the kickstart to")
	}
	return out.Bytes(), changed, nil
}

func isKernelLine(trimmed string) bool {
	for _, p := range []string{"append ", "linux ", "linuxefi ", "linux16 ", "kernel "} {
		if strings.HasPrefix(trimmed, p) {
			return true
		}
	}
	return false
}
