package profile

import (
	"sort"
	"strings"
)

// Scope is where an attribute value was set. Later scopes win: global < role < host, and
// intrinsic attributes (hostname, hostaddr, ...) are set by palletizer and override all three.
type Scope string

const (
	// ScopeDefault holds the built-in components' defaults (zookeeper.tick_time, ...), below global.
	ScopeDefault   Scope = "default"
	ScopeGlobal    Scope = "global"
	ScopeRole      Scope = "role"
	ScopeHost      Scope = "host"
	ScopeIntrinsic Scope = "intrinsic"
)

// Attr is one resolved attribute value and where it came from.
type Attr struct {
	Value string
	Scope Scope
	// Where is the recipe position of the definition ("recipe.hcl:12,3"), empty for intrinsic ones.
	Where string
}

// Attributes maps attribute names to their resolved values.
type Attributes map[string]Attr

// Layer is one scope's attribute definitions.
type Layer struct {
	Scope  Scope
	Values map[string]string
	// Where maps a name to the position of its definition.
	Where map[string]string
}

// Resolve merges layers in order; a later layer's value replaces an earlier one's.
func Resolve(layers ...Layer) Attributes {
	out := Attributes{}
	for _, l := range layers {
		for k, v := range l.Values {
			out[k] = Attr{Value: v, Scope: l.Scope, Where: l.Where[k]}
		}
	}
	return out
}

// Names returns the attribute names in sorted order.
func (a Attributes) Names() []string {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// Get returns an attribute's value and whether it is set.
func (a Attributes) Get(name string) (string, bool) {
	v, ok := a[name]
	return v.Value, ok
}

// Truth reports how Stacki reads an attribute value as a boolean: true/yes/on/y are true,
// false/no/off/n are false (case-insensitive); ok is false for any other value.
func Truth(v string) (val, ok bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "yes", "on", "y":
		return true, true
	case "false", "no", "off", "n":
		return false, true
	}
	return false, false
}

// Intrinsic attribute names palletizer sets for every host.
const (
	AttrHostname   = "hostname"
	AttrHostaddr   = "hostaddr"
	AttrAppliance  = "appliance"
	AttrRole       = "role"
	AttrRack       = "rack"
	AttrRank       = "rank"
	AttrOS         = "os"
	AttrOSVersion  = "os.version"
	AttrArch       = "arch"
	AttrDomainname = "domainname"
	AttrCluster    = "cluster"
	AttrVersion    = "cluster.version"
)
