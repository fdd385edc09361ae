package cloudinit

// Which cloud-init a host runs decides which keys its user-data may use: a key an old cloud-init
// does not know is ignored there, so the file it should have written silently never appears.

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/palletizer/palletizer/profile"
)

// ErrUnknownVersion is returned (wrapped) when the target cloud-init version is neither given in
// Options nor known for the host's OS.
var ErrUnknownVersion = errors.New("unknown cloud-init version")

// shipped is the cloud-init each OS release ships, keyed by family and major release (Red Hat
// family, where the distribution updates cloud-init within a release: the version of the late
// minor releases images are built from) or by exact release (Ubuntu and Debian: the version at
// release, the floor an old image can have).
var shipped = map[string]string{
	"redhat/6":     "0.7.5",  // EPEL 6
	"redhat/7":     "19.4",   // EL 7.9
	"redhat/8":     "22.1",   // EL 8.7 and later
	"redhat/9":     "22.1",   // EL 9.0 (9.4 and later ship 23.4)
	"ubuntu/14.04": "0.7.5",  // trusty
	"ubuntu/16.04": "0.7.7",  // xenial at release
	"ubuntu/18.04": "18.2",   // bionic at release
	"ubuntu/20.04": "20.1",   // focal at release
	"ubuntu/22.04": "22.1",   // jammy at release
	"ubuntu/24.04": "24.1",   // noble at release
	"debian/10":    "18.3",   // buster
	"debian/11":    "20.4.1", // bullseye
	"debian/12":    "22.4.2", // bookworm
}

// version is a cloud-init version as comparable numbers: 0.7.5 -> [0 7 5].
type version []int

func parseVersion(s string) (version, error) {
	var v version
	for _, part := range strings.Split(strings.TrimSpace(s), ".") {
		n, err := strconv.Atoi(part)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("cloud-init version %q is not of the form 22.4 or 0.7.5", s)
		}
		v = append(v, n)
	}
	return v, nil
}

// atLeast reports whether v >= w (missing components count as 0).
func (v version) atLeast(w string) bool {
	o, err := parseVersion(w)
	if err != nil {
		panic(err) // w is a constant of this package
	}
	for i := 0; i < len(v) || i < len(o); i++ {
		a, b := 0, 0
		if i < len(v) {
			a = v[i]
		}
		if i < len(o) {
			b = o[i]
		}
		if a != b {
			return a > b
		}
	}
	return true
}

func (v version) String() string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ".")
}

// targetVersion is Options.Version, or what p's OS ships.
func targetVersion(p *profile.Profile, opts Options) (version, error) {
	if opts.Version != "" {
		return parseVersion(opts.Version)
	}
	key := p.OS.Family + "/" + p.OS.Release
	if p.OS.Family == "redhat" {
		key = p.OS.Family + "/" + strings.SplitN(p.OS.Release, ".", 2)[0]
	}
	s, ok := shipped[key]
	if !ok {
		return nil, fmt.Errorf("host %q runs %s %s (family %q): %w; set the cloud-init version the image has (cloudinit.Options.Version)",
			p.Host, p.OS.Name, p.OS.Release, p.OS.Family, ErrUnknownVersion)
	}
	return parseVersion(s)
}

// Feature thresholds, from cloud-init's changelog.
const (
	sinceAptV3       = "0.7.8" // apt: {sources: ...}; before it apt_sources: [...]
	sinceWriteAppend = "18.3"  // write_files append
	sinceDefer       = "21.4"  // write_files defer (written after packages install)
)
