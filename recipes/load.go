package recipes

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
)

// Options say where variable values come from and what the recipe may name.
type Options struct {
	// Vars are --var name=value settings; they win over everything else.
	Vars map[string]string
	// VarFiles are --var-file paths (HCL files of name = value), applied in order.
	VarFiles []string
	// Environ is the environment PALLETIZER_VAR_name values are read from; nil means os.Environ().
	Environ []string
	// Components are the component names roles may use; nil skips that check.
	Components []string
	// Version, when set, replaces the cluster version (CI builds name artifacts with it).
	Version string
}

// topSchema is the whole recipe language at the top level.
var topSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "nodes"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "cluster", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "locals"},
		{Type: "repository", LabelNames: []string{"name"}},
		{Type: "attributes"},
		{Type: "role", LabelNames: []string{"name"}},
		{Type: "host", LabelNames: []string{"name"}},
		{Type: "hosts", LabelNames: []string{"pattern"}},
		{Type: "image", LabelNames: []string{"name"}},
		{Type: "output", LabelNames: []string{"kind"}},
	},
}

// Load parses, decodes and checks a recipe. It keeps going after an error so the diagnostics
// hold every problem at once. With errors, the recipe is incomplete: use it only for its Files.
func Load(path string, opts Options) (*Recipe, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return &Recipe{Path: path}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Cannot read recipe",
			Detail:   fmt.Sprintf("%s; check the path.", err),
		}}
	}
	return LoadSource(path, src, opts)
}

// LoadSource is Load for a recipe already in memory; path names it in diagnostics and anchors
// its relative paths.
func LoadSource(path string, src []byte, opts Options) (*Recipe, hcl.Diagnostics) {
	p := hclparse.NewParser()
	file, diags := p.ParseHCL(src, path)
	r := &Recipe{Path: path, Dir: filepath.Dir(path), Files: p.Files()}
	if diags.HasErrors() {
		return r, diags
	}
	content, d := file.Body.Content(topSchema)
	diags = append(diags, d...)

	blocks := map[string][]*hcl.Block{}
	for _, b := range content.Blocks {
		blocks[b.Type] = append(blocks[b.Type], b)
	}

	// Variables and locals first: everything else may refer to them.
	vars, d := decodeVariables(blocks["variable"], p, opts)
	diags = append(diags, d...)
	r.Variables = vars
	ctx := r.evalContext()
	locals, d := decodeLocals(blocks["locals"], ctx)
	diags = append(diags, d...)
	ctx.Variables["local"] = cty.ObjectVal(locals)

	diags = append(diags, r.decodeCluster(blocks["cluster"], ctx, opts)...)
	diags = append(diags, r.decodeRepositories(blocks["repository"], ctx)...)
	diags = append(diags, r.decodeGlobalAttributes(blocks["attributes"], ctx)...)
	diags = append(diags, r.decodeRoles(blocks["role"], ctx)...)
	diags = append(diags, r.decodeHosts(blocks["host"], blocks["hosts"], ctx)...)
	diags = append(diags, r.decodeImages(blocks["image"], ctx)...)
	diags = append(diags, r.decodeOutputs(blocks["output"], ctx)...)
	if attr, ok := content.Attributes["nodes"]; ok {
		nodes, d := r.decodeNodeList(attr.Expr, ctx)
		diags = append(diags, d...)
		r.Nodes = nodes
	}

	diags = append(diags, r.check(opts)...)
	sortDiagnostics(diags)
	return r, diags
}

// sortDiagnostics orders diagnostics by position, so a user reads them top to bottom.
func sortDiagnostics(diags hcl.Diagnostics) {
	pos := func(d *hcl.Diagnostic) (string, int) {
		if d.Subject == nil {
			return "", 0
		}
		return d.Subject.Filename, d.Subject.Start.Byte
	}
	sort.SliceStable(diags, func(i, j int) bool {
		fi, bi := pos(diags[i])
		fj, bj := pos(diags[j])
		if fi != fj {
			return fi < fj
		}
		return bi < bj
	})
}

// firstSeen remembers where each name was first defined, so a duplicate can point at it.
type firstSeen map[string]hcl.Range

func (f firstSeen) add(kind, name string, rng hcl.Range) *hcl.Diagnostic {
	if prev, ok := f[name]; ok {
		return &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  fmt.Sprintf("Duplicate %s %q", kind, name),
			Detail:   fmt.Sprintf("The %s %q was already defined at %s; rename or remove one of them.", kind, name, prev),
			Subject:  rng.Ptr(),
		}
	}
	f[name] = rng
	return nil
}

func (r *Recipe) decodeCluster(bs []*hcl.Block, ctx *hcl.EvalContext, opts Options) hcl.Diagnostics {
	var diags hcl.Diagnostics
	if len(bs) == 0 {
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing cluster block",
			Detail:   `A recipe needs one cluster block, e.g. cluster "mesos-dc1" { version = "1.0.0"  os = "centos-7" }.`,
			Subject:  r.Files[r.Path].Body.MissingItemRange().Ptr(),
		}}
	}
	for _, b := range bs[1:] {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Duplicate cluster block",
			Detail:   fmt.Sprintf("A recipe describes one cluster; the first cluster block is at %s.", bs[0].DefRange),
			Subject:  b.DefRange.Ptr(),
		})
	}
	b := bs[0]
	var raw struct {
		Version      string   `hcl:"version"`
		OS           string   `hcl:"os"`
		Arch         string   `hcl:"arch,optional"`
		Domain       string   `hcl:"domain,optional"`
		Timezone     string   `hcl:"timezone,optional"`
		RootHash     string   `hcl:"root_password_hash,optional"`
		RootPassword *string  `hcl:"root_password,optional"`
		Network      string   `hcl:"network,optional"`
		Gateway      string   `hcl:"gateway,optional"`
		Nameservers  []string `hcl:"nameservers,optional"`
		Zookeeper    []string `hcl:"zookeeper,optional"`
		Remain       hcl.Body `hcl:",remain"`
	}
	diags = append(diags, gohcl.DecodeBody(b.Body, ctx, &raw)...)
	attrs, _ := b.Body.JustAttributes()
	at := attrRanges{attrs, b.DefRange}.at
	c := &r.Cluster
	c.Name, c.Version, c.Arch, c.Domain, c.Timezone = b.Labels[0], raw.Version, raw.Arch, raw.Domain, raw.Timezone
	c.RootPasswordHash, c.Zookeeper, c.Range = raw.RootHash, raw.Zookeeper, b.DefRange
	if opts.Version != "" {
		c.Version = opts.Version
	}
	if c.Arch == "" {
		c.Arch = "x86_64"
	}
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if raw.OS != "" {
		osv, err := ParseOS(raw.OS)
		if err != nil {
			diags = append(diags, errorAt(at("os"), "Unsupported os", err.Error()))
		}
		c.OS = osv
	}
	if raw.RootPassword != nil {
		diags = append(diags, errorAt(at("root_password"), "Plaintext root password",
			"A plaintext root password would be copied into every kickstart and user-data. "+
				"Set root_password_hash to a crypt(3) hash instead, made with "+
				"`openssl passwd -6` or `mkpasswd -m sha-512`."))
	}
	if c.RootPasswordHash != "" && !looksCrypted(c.RootPasswordHash) {
		diags = append(diags, errorAt(at("root_password_hash"), "Root password hash is not a crypt(3) hash",
			"root_password_hash must look like $6$salt$hash (or $5$, $y$, $2b$); this looks like a plaintext "+
				"password. Hash it with `openssl passwd -6` or `mkpasswd -m sha-512`."))
	}
	diags = append(diags, c.decodeNetwork(raw.Network, raw.Gateway, raw.Nameservers, at)...)
	return diags
}

// attrRanges points a diagnostic at a setting's value, or at its block when it is not set.
type attrRanges struct {
	attrs hcl.Attributes
	block hcl.Range
}

func (a attrRanges) at(name string) *hcl.Range {
	if attr, ok := a.attrs[name]; ok {
		return attr.Expr.Range().Ptr()
	}
	return a.block.Ptr()
}

func errorAt(rng *hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: summary, Detail: detail, Subject: rng}
}

func warningAt(rng *hcl.Range, summary, detail string) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: rng}
}

// sortedKeys returns a map's keys in order, for deterministic diagnostics.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
