// Package recipes is the HCL cluster recipe language: its schema, decoding, variables and
// functions, and the semantic checks that tell a user what is wrong and where.
package recipes

import (
	"net/netip"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Recipe is a decoded, checked cluster recipe. Every element keeps the source range it came from,
// so later stages can point their errors at the recipe.
type Recipe struct {
	Path  string               // the recipe file as given
	Dir   string               // the directory relative paths in the recipe are resolved against
	Files map[string]*hcl.File // parsed sources, for rendering diagnostics with snippets

	Cluster      Cluster
	Variables    map[string]cty.Value
	Repositories []Repository
	Attributes   []Attribute // global scope
	Roles        []Role
	Hosts        []Host // expanded from host and hosts blocks, in recipe order
	Nodes        []Node // Stacki-style node files for every role
	Images       []Image
	Outputs      Outputs
}

// Cluster is the cluster block: what names every artifact and what the hosts run.
type Cluster struct {
	Name     string
	Version  string
	OS       OS
	Arch     string
	Domain   string
	Timezone string
	// RootPasswordHash is a crypt(3) hash; a plaintext password is refused at load.
	RootPasswordHash string
	Network          netip.Prefix // zero when the recipe gives none
	Gateway          netip.Addr
	Nameservers      []netip.Addr
	// Zookeeper optionally names the ensemble's hosts; by default it is every host whose role
	// runs the zookeeper component, in recipe order.
	Zookeeper []string
	Range     hcl.Range
}

// OS is the cluster's target distribution, parsed from "centos-7", "rocky-9", "ubuntu-22.04".
type OS struct {
	Name    string // centos, rocky, rhel, almalinux, ubuntu, debian
	Release string // 7, 9, 22.04
	Family  string // redhat or ubuntu (Stacki's os attribute)
}

// String gives the recipe spelling, e.g. "centos-7".
func (o OS) String() string { return o.Name + "-" + o.Release }

// Repository is a package repository to mirror.
type Repository struct {
	Name string
	Type string // rpm or deb

	// rpm
	BaseURL    string
	MirrorList string
	GPGKey     string // armored key text (file("...")) or a URL
	GPGCheck   bool

	// deb
	URL           string
	Suite         string
	Components    []string
	Architectures []string
	SignedBy      string

	Packages         []string // names or glob patterns
	Exclude          []string
	Newest           bool
	WithDependencies bool

	Range hcl.Range
}

// Attribute is one attribute definition in some scope.
type Attribute struct {
	Name  string
	Value string // Stacki attributes are strings; true/false/numbers are written as such
	Range hcl.Range
}

// Role is Stacki's appliance: the components a host of this role runs and its attributes.
type Role struct {
	Name       string
	Attributes []Attribute
	Components []string
	// Repositories limits the role's pallet to these repositories; empty means all of them.
	Repositories []string
	// Install is how the role's components are installed: "package" (default) or "container".
	Install string
	// ComponentInstall overrides Install per component.
	ComponentInstall map[string]string
	Nodes            []Node
	Range            hcl.Range
}

// InstallMode returns how the role installs a component.
func (r Role) InstallMode(component string) string {
	if m, ok := r.ComponentInstall[component]; ok {
		return m
	}
	if r.Install == "" {
		return InstallPackage
	}
	return r.Install
}

// Install modes of a component.
const (
	InstallPackage   = "package"
	InstallContainer = "container"
)

// Host is one machine of the cluster.
type Host struct {
	Name       string
	Role       string
	Addr       netip.Addr
	Rack       int
	Rank       int
	Attributes []Attribute
	Range      hcl.Range // the host block, or the hosts block it was expanded from
	RoleRange  hcl.Range // the role setting, where an unknown role is reported
}

// Node is a Stacki-style node XML file named by the recipe.
type Node struct {
	Path  string // resolved against the recipe directory
	Range hcl.Range
}

// Image is a component container image to bundle and push.
type Image struct {
	Name      string
	Source    string
	Target    string
	Platforms []string
	Range     hcl.Range
}

// Outputs holds the output blocks; a nil field means the output is not wanted.
type Outputs struct {
	Pallet     *PalletOutput
	Kickstart  *KickstartOutput
	CloudInit  *CloudInitOutput
	Installers []InstallerOutput
}

// PalletOutput asks for Stacki pallets.
type PalletOutput struct {
	PerRole bool   `hcl:"per_role,optional"`
	Release string `hcl:"release,optional"` // OS tag such as redhat7; derived from the OS when empty
	Layout  string `hcl:"layout,optional"`  // "v5" (default) or "v3"
	Range   hcl.Range
}

// KickstartOutput asks for kickstart files.
type KickstartOutput struct {
	// InstallFrom is "cdrom" or the URL of the mirror the installer reads.
	InstallFrom string `hcl:"install_from,optional"`
	// MirrorURL, when set, replaces every repository URL with <MirrorURL>/<repository>/.
	MirrorURL string `hcl:"mirror_url,optional"`
	Range     hcl.Range
}

// CloudInitOutput asks for cloud-init user-data.
type CloudInitOutput struct {
	Gzip string `hcl:"gzip,optional"` // auto (default), always, never
	// Version is the target cloud-init version; empty means what the cluster's OS ships.
	Version string `hcl:"cloud_init_version,optional"`
	// MirrorURL, when set, replaces every repository URL with <MirrorURL>/<repository>/.
	MirrorURL string `hcl:"mirror_url,optional"`
	Range     hcl.Range
}

// InstallerOutput asks for a bootable offline installer ISO of one role.
type InstallerOutput struct {
	Role       string `hcl:"role"`
	BaseISO    string `hcl:"base_iso"`
	BaseSHA256 string `hcl:"base_sha256,optional"`
	Range      hcl.Range
}
