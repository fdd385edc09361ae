// Package kickstart renders a profile.Profile as a Red Hat kickstart file (EL6 to EL9 syntax) and
// as the Stacki profile XML that `stack list host profile` printed, for `palletizer render`.
package kickstart

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/palletizer/palletizer/profile"
)

// ErrUnsupportedOS is returned (wrapped) for a host that is not of the Red Hat family or whose
// release kickstart syntax is not known; such hosts take cloud-init user-data instead.
var ErrUnsupportedOS = errors.New("kickstart does not support this OS")

// Options changes how a kickstart is rendered. The zero value installs from the installer's
// CD-ROM, keeps the profile's repository URLs and logs to /var/log/palletizer-install.log.
type Options struct {
	// InstallFrom is the OS install tree: "" or "cdrom" for the installer medium, an http://,
	// https:// or ftp:// URL for `url --url=`, or nfs://server/dir for `nfs`.
	InstallFrom string
	// MirrorURL, when set, replaces each repository's base URL with MirrorURL/<repository name>/,
	// the layout of palletizer's out/repos/ tree served from the install server.
	MirrorURL string
	// LogName names the script logs: /var/log/<LogName>-install.log. Default "palletizer".
	LogName string
}

func (o Options) logName() string {
	if o.LogName == "" {
		return "palletizer"
	}
	return o.LogName
}

// section is one part of the kickstart: the command block, %packages or a script. The kickstart
// text and the profile XML are both built from the same list so they cannot disagree.
type section struct {
	name string // "main", "packages", "pre", "post", ...
	text string // the complete text, including the header line and %end
}

// Render returns p as kickstart text. The output carries the root password hash: write it with
// mode 0600. The result is deterministic: the same Profile and Options give the same bytes.
func Render(p *profile.Profile, opts Options) ([]byte, error) {
	secs, err := sections(p, opts)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, s := range secs {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(s.text)
	}
	return []byte(b.String()), nil
}

// elMajor returns the Enterprise Linux major release of p's OS.
func elMajor(p *profile.Profile) (int, error) {
	if p.OS.Family != "redhat" {
		return 0, fmt.Errorf("host %q runs %s %s (family %q): %w; render cloud-init user-data for it instead",
			p.Host, p.OS.Name, p.OS.Release, p.OS.Family, ErrUnsupportedOS)
	}
	major, err := strconv.Atoi(strings.SplitN(p.OS.Release, ".", 2)[0])
	if err != nil || major < 6 || major > 10 {
		return 0, fmt.Errorf("host %q runs %s release %q: %w; kickstart syntax is known for EL 6 to 10, set the cluster os to one of them",
			p.Host, p.OS.Name, p.OS.Release, ErrUnsupportedOS)
	}
	return major, nil
}

func sections(p *profile.Profile, opts Options) ([]section, error) {
	major, err := elMajor(p)
	if err != nil {
		return nil, err
	}
	main, err := commands(p, opts, major)
	if err != nil {
		return nil, err
	}
	secs := []section{{name: "main", text: main}, {name: "packages", text: packages(p)}}
	scripts, err := scriptSections(p, opts, major)
	if err != nil {
		return nil, err
	}
	for _, sc := range scripts {
		if err := checkBody(p.Host, sc.text); err != nil {
			return nil, err
		}
	}
	return append(secs, scripts...), nil
}

// sectionWords are the lines anaconda reads as the end of a section or a new one, wherever they
// stand, even inside a here-document.
var sectionWords = map[string]bool{"%end": true, "%pre": true, "%pre-install": true, "%post": true, "%packages": true,
	"%traceback": true, "%onerror": true, "%addon": true, "%anaconda": true, "%include": true, "%ksappend": true}

// checkBody refuses a script or file line that would end or open a kickstart section early.
func checkBody(host, text string) error {
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	for _, l := range lines[1 : len(lines)-1] {
		if f := strings.Fields(l); len(f) > 0 && sectionWords[f[0]] {
			return fmt.Errorf("host %q: the line %q in %s would end the kickstart section early; change the script or file content (a file can be written base64-encoded)",
				host, l, lines[0])
		}
	}
	return nil
}

// packages renders %packages: groups first (anaconda resolves them before single packages and
// reads better that way), then packages, then exclusions, each once in profile order.
func packages(p *profile.Profile) string {
	var groups, pkgs, excluded []string
	seen := map[string]bool{}
	for _, pk := range p.Packages {
		var line string
		switch {
		case pk.Disabled:
			line = "-" + pk.Name
			if pk.Group {
				line = "-@" + pk.Name
			}
		case pk.Group:
			line = "@" + pk.Name
		default:
			line = pk.Name
		}
		if pk.Name == "" || seen[line] {
			continue
		}
		seen[line] = true
		switch {
		case pk.Disabled:
			excluded = append(excluded, line)
		case pk.Group:
			groups = append(groups, line)
		default:
			pkgs = append(pkgs, line)
		}
	}
	var b strings.Builder
	b.WriteString("%packages --ignoremissing\n")
	for _, l := range [][]string{groups, pkgs, excluded} {
		for _, s := range l {
			b.WriteString(s)
			b.WriteByte('\n')
		}
	}
	b.WriteString("%end\n")
	return b.String()
}

// repoURL returns where the installed host finds repository r.
func repoURL(r profile.Repository, opts Options) string {
	if opts.MirrorURL != "" {
		return strings.TrimRight(opts.MirrorURL, "/") + "/" + r.Name + "/"
	}
	return r.BaseURL
}
