package recipes

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// osFamilies maps the distributions palletizer builds for to Stacki's os attribute.
var osFamilies = map[string]string{
	"centos":    "redhat",
	"rhel":      "redhat",
	"rocky":     "redhat",
	"almalinux": "redhat",
	"ubuntu":    "ubuntu",
	"debian":    "ubuntu",
}

// ParseOS reads an os setting such as "centos-7", "rocky-9" or "ubuntu-22.04".
func ParseOS(s string) (OS, error) {
	name, release, ok := strings.Cut(s, "-")
	family := osFamilies[name]
	if !ok || release == "" || family == "" || !regexp.MustCompile(`^[0-9]+(\.[0-9]+)*$`).MatchString(release) {
		return OS{}, fmt.Errorf("os %q is not one palletizer knows; write <name>-<release> with name one of "+
			"almalinux, centos, debian, rhel, rocky, ubuntu, e.g. \"centos-7\", \"rocky-9\" or \"ubuntu-22.04\"", s)
	}
	return OS{Name: name, Release: release, Family: family}, nil
}

// Major returns the release's major number as a string ("7" for "7.9").
func (o OS) Major() string {
	m, _, _ := strings.Cut(o.Release, ".")
	return m
}

// cryptForms are the crypt(3) hash forms installers accept: SHA-512 and SHA-256 (with their
// exact digest lengths), bcrypt, and yescrypt.
var cryptForms = []*regexp.Regexp{
	regexp.MustCompile(`^\$6\$(rounds=[0-9]+\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$`),
	regexp.MustCompile(`^\$5\$(rounds=[0-9]+\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{43}$`),
	regexp.MustCompile(`^\$2[abxy]\$[0-9]{2}\$[./0-9A-Za-z]{53}$`),
	regexp.MustCompile(`^\$(y|gy)\$[./0-9A-Za-z]+\$[./0-9A-Za-z]+\$[./0-9A-Za-z]{43}$`),
}

// looksCrypted reports whether s is a crypt(3) hash rather than a plaintext password.
func looksCrypted(s string) bool {
	for _, re := range cryptForms {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

func (c *Cluster) decodeNetwork(network, gateway string, nameservers []string, at func(string) *hcl.Range) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if network != "" {
		p, err := netip.ParsePrefix(network)
		if err != nil {
			diags = append(diags, errorAt(at("network"), "Invalid network",
				fmt.Sprintf("network must be an address prefix such as \"10.1.0.0/16\": %s.", err)))
		} else {
			if p.Masked() != p {
				diags = append(diags, errorAt(at("network"), "Network has host bits set",
					fmt.Sprintf("%s has bits set beyond its /%d; write %s.", p, p.Bits(), p.Masked())))
			}
			c.Network = p.Masked()
		}
	}
	if gateway != "" {
		g, err := netip.ParseAddr(gateway)
		switch {
		case err != nil:
			diags = append(diags, errorAt(at("gateway"), "Invalid gateway", fmt.Sprintf("gateway must be an IP address: %s.", err)))
		case c.Network.IsValid() && !c.Network.Contains(g):
			diags = append(diags, errorAt(at("gateway"), "Gateway outside the network",
				fmt.Sprintf("gateway %s is not in network %s; hosts could not reach it.", g, c.Network)))
		default:
			c.Gateway = g
		}
	}
	for _, ns := range nameservers {
		a, err := netip.ParseAddr(ns)
		if err != nil {
			diags = append(diags, errorAt(at("nameservers"), "Invalid nameserver", fmt.Sprintf("%q is not an IP address.", ns)))
			continue
		}
		c.Nameservers = append(c.Nameservers, a)
	}
	return diags
}
