// Package profile resolves what one host installs: its attributes and the node graph (built-in
// component nodes plus Stacki-style node XML) evaluated into a Profile that renderers turn into
// kickstart files and cloud-init user-data.
package profile

// Profile is the resolved install of one host. Kickstart and cloud-init are two renderers of it;
// neither needs to know about recipes or node XML.
type Profile struct {
	Host    string // short host name
	Role    string // Stacki's appliance
	Cluster string
	Version string
	OS      OS
	Arch    string

	// Attributes are the host's resolved attributes, each with where it came from.
	Attributes Attributes

	Native       Native
	Repositories []Repository
	Packages     []Package
	// Files are written after packages are installed, in order.
	Files []File
	// Scripts run in the order of their stage and then in graph order.
	Scripts  []Script
	Services []Service
	// Containers are component images this host runs; their units are already in Files.
	Containers []Container
	// NativeCommands are raw installer commands from <stack:native lang="kickstart"> and <main>.
	NativeCommands []string
}

// OS names the target distribution.
type OS struct {
	Family  string // "redhat" or "ubuntu" (Stacki's os attribute)
	Name    string // "centos", "rocky", "ubuntu"
	Release string // "7", "9", "22.04"
	Init    string // "systemd", "upstart" or "sysvinit"
}

// Native holds the installer's own settings, independent of the node graph.
type Native struct {
	Hostname         string // fully qualified
	Timezone         string
	Lang             string
	Keyboard         string
	RootPasswordHash string // crypt(3) form; never a plaintext password
	Network          []Interface
	Disk             Disk
}

// Interface is one configured network interface.
type Interface struct {
	Device  string // "" means the boot device
	Address string
	Prefix  int
	Gateway string
	DNS     []string
}

// Disk says how the installer partitions the host.
type Disk struct {
	ClearAll bool
	// Parts lists explicit partitions; none means automatic partitioning.
	Parts []Partition
}

// Partition is one explicit partition.
type Partition struct {
	Mount   string
	FSType  string
	SizeMiB int
	Grow    bool
}

// Repository is a package repository the host installs from.
type Repository struct {
	Name       string
	Type       string // "rpm" or "deb"
	BaseURL    string // rpm: baseurl; deb: the archive URL
	Suite      string // deb
	Components []string
	GPGKey     string // URL or path of the key
	GPGCheck   bool
}

// Package is one package request.
type Package struct {
	Name     string
	Group    bool // type="meta": installed as @Name
	Disabled bool // disable="true": excluded as -Name
	Source   Source
}

// File is a file written on the installed host.
type File struct {
	Path    string
	Owner   string // "user:group", empty for root
	Perms   string // octal string such as "0644", empty to keep the default
	Content string
	Append  bool
	// Expanded lets the shell expand variables in Content at install time (vars="expanded").
	Expanded bool
	// Expr, when set, is a shell command whose output becomes the file (Stacki's expr=);
	// Content is then empty.
	Expr   string
	Source Source
}

// Stage is when a script runs, in Stacki 5.x terms.
type Stage string

const (
	StageInstallPre        Stage = "install-pre"
	StageInstallPrePackage Stage = "install-pre-package"
	StageInstallPost       Stage = "install-post"
	StageBootPre           Stage = "boot-pre"
	StageBootPost          Stage = "boot-post"
)

// Script is a shell (or other interpreter) section.
type Script struct {
	Stage       Stage
	Interpreter string // empty means the default shell
	NoChroot    bool   // runs outside the installed system (--nochroot)
	// Args are further section arguments passed through from arg= (such as --erroronfail).
	Args []string
	// Steps keep shell text and embedded <file> elements in document order.
	Steps  []Step
	Source Source
}

// Step is either shell text or a file written by the script.
type Step struct {
	Text string
	File *File
}

// Service is a service switched on or off on the installed host.
type Service struct {
	Name   string
	Enable bool
	Source Source
}

// Container is a component image run as a service.
type Container struct {
	Name  string
	Image string // reference by digest in the site registry when locked
	Unit  string // path of the systemd unit that runs it
}

// Source says which node file and line produced an element.
type Source struct {
	File string
	Line int
}
