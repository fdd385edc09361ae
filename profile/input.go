package profile

// Input is everything Build needs to resolve one host. The builder fills it from the recipe.
type Input struct {
	Host    string // short host name
	Address string
	Prefix  int
	Gateway string
	DNS     []string
	Device  string // network device; empty means the boot device
	Role    string // Stacki's appliance; the root of the node graph traversal
	// Rack and Rank place the host as Stacki did (backend-<rack>-<rank>); when both are zero
	// and the host name ends in -R-N they are taken from it.
	Rack, Rank int

	Components []Component
	// Layers are the recipe's attribute scopes, in precedence order: global, role, host.
	Layers  []Layer
	Cluster Cluster
	// Ensemble lists the ZooKeeper servers in order; a member's myid is its 1-based index.
	Ensemble []Member
	// Masters lists the Mesos masters (the quorum is floor(n/2)+1); empty means Ensemble.
	Masters []Member
	// Balancers lists the load balancer hosts in order; the first gets keepalived priority 150.
	Balancers    []Member
	Repositories []Repository
	// Nodes are the site's node and graph files: the recipe's, then the role's. extend-X.xml
	// is appended to node X, replace-X.xml replaces it, a <graph> root makes a graph file.
	Nodes []NodeFile
	// Images maps a component to the image reference its container runs (by digest when locked).
	Images map[string]string
}

// Component is one built-in component on a role and how it is installed.
type Component struct {
	Name    string
	Install InstallMode
}

// InstallMode says whether a component is installed from packages or run as a container.
type InstallMode string

const (
	InstallPackage   InstallMode = "package"
	InstallContainer InstallMode = "container"
)

// Cluster holds the cluster-wide facts of the recipe.
type Cluster struct {
	Name             string
	Version          string
	OS               OS // Family and Init are derived from Name and Release when empty
	Arch             string
	Domain           string
	Timezone         string
	RootPasswordHash string
}

// Member is one host of an ensemble or group.
type Member struct {
	Host    string
	Address string
}

// NodeFile is a site node or graph file.
type NodeFile struct {
	Path string // as the recipe names it; used in errors and for the node name
	Data []byte
}
