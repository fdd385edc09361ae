package profile

import "sort"

// PackageNames returns the names of the packages the profile installs (not groups, not
// disabled ones), sorted: what the builder cross-checks against the role's mirrors.
func (p *Profile) PackageNames() []string {
	seen := map[string]bool{}
	var out []string
	for _, pk := range p.Packages {
		if pk.Group || pk.Disabled || seen[pk.Name] {
			continue
		}
		seen[pk.Name] = true
		out = append(out, pk.Name)
	}
	sort.Strings(out)
	return out
}
