package recipes

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

type repositoryBlock struct {
	Type             string   `hcl:"type"`
	BaseURL          string   `hcl:"baseurl,optional"`
	MirrorList       string   `hcl:"mirrorlist,optional"`
	GPGKey           string   `hcl:"gpgkey,optional"`
	GPGCheck         *bool    `hcl:"gpgcheck,optional"`
	URL              string   `hcl:"url,optional"`
	Suite            string   `hcl:"suite,optional"`
	Components       []string `hcl:"components,optional"`
	Architectures    []string `hcl:"architectures,optional"`
	SignedBy         string   `hcl:"signed_by,optional"`
	Packages         []string `hcl:"packages,optional"`
	Exclude          []string `hcl:"exclude,optional"`
	Newest           bool     `hcl:"newest,optional"`
	WithDependencies bool     `hcl:"with_dependencies,optional"`
}

func (r *Recipe) decodeRepositories(bs []*hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := firstSeen{}
	for _, b := range bs {
		name := b.Labels[0]
		if d := seen.add("repository", name, b.DefRange); d != nil {
			diags = append(diags, d)
			continue
		}
		var raw repositoryBlock
		d := gohcl.DecodeBody(b.Body, ctx, &raw)
		diags = append(diags, d...)
		attrs, _ := b.Body.JustAttributes()
		repo := Repository{
			Name: name, Type: raw.Type, BaseURL: raw.BaseURL, MirrorList: raw.MirrorList,
			GPGKey: raw.GPGKey, GPGCheck: raw.GPGKey != "", URL: raw.URL, Suite: raw.Suite,
			Components: raw.Components, Architectures: raw.Architectures, SignedBy: raw.SignedBy,
			Packages: raw.Packages, Exclude: raw.Exclude, Newest: raw.Newest,
			WithDependencies: raw.WithDependencies, Range: b.DefRange,
		}
		if raw.GPGCheck != nil {
			repo.GPGCheck = *raw.GPGCheck
		}
		if !d.HasErrors() {
			diags = append(diags, checkRepository(repo, attrs)...)
		}
		r.Repositories = append(r.Repositories, repo)
	}
	return diags
}

func (r *Recipe) decodeGlobalAttributes(bs []*hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := firstSeen{}
	for _, b := range bs {
		attrs, d := b.Body.JustAttributes()
		diags = append(diags, d...)
		// Source order, not name order: the plan lists them as written.
		list := make([]*hcl.Attribute, 0, len(attrs))
		for _, a := range attrs {
			list = append(list, a)
		}
		sortByPos(list)
		for _, a := range list {
			flat, d := flattenAttribute(a.Name, a.Expr, ctx, a.NameRange)
			diags = append(diags, d...)
			for _, fa := range flat {
				if d := seen.add("attribute", fa.Name, a.NameRange); d != nil {
					diags = append(diags, d)
					continue
				}
				r.Attributes = append(r.Attributes, fa)
			}
		}
	}
	return diags
}

func sortByPos(list []*hcl.Attribute) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j].Range.Start.Byte < list[j-1].Range.Start.Byte; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}

// attributeMap decodes `attributes = { name = value }` keeping each key's position.
func attributeMap(expr hcl.Expression, ctx *hcl.EvalContext) ([]Attribute, hcl.Diagnostics) {
	if isNullExpr(expr) {
		return nil, nil
	}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return nil, diags
	}
	var out []Attribute
	seen := firstSeen{}
	for _, kv := range pairs {
		k, d := kv.Key.Value(ctx)
		if d.HasErrors() || k.Type() != cty.String || k.IsNull() {
			// A bare key such as is_mesos_master is a traversal, not a string: take its name.
			name := hcl.ExprAsKeyword(kv.Key)
			if name == "" {
				diags = append(diags, errorAt(kv.Key.Range().Ptr(), "Invalid attribute name", "Attribute names are words such as is_mesos_master or \"os.version\"."))
				continue
			}
			k = cty.StringVal(name)
		}
		flat, d := flattenAttribute(k.AsString(), kv.Value, ctx, kv.Key.Range())
		diags = append(diags, d...)
		for _, fa := range flat {
			if d := seen.add("attribute", fa.Name, kv.Key.Range()); d != nil {
				diags = append(diags, d)
				continue
			}
			out = append(out, fa)
		}
	}
	return out, diags
}

func scalarString(v cty.Value) (string, error) {
	if v.IsNull() {
		return "", fmt.Errorf("has no value; give it one or remove it")
	}
	switch v.Type() {
	case cty.String:
		return v.AsString(), nil
	case cty.Bool:
		return strconv.FormatBool(v.True()), nil
	case cty.Number:
		return v.AsBigFloat().Text('f', -1), nil
	}
	return "", fmt.Errorf("is a %s; attributes are strings, numbers or booleans (join a list with join(\",\", ...))", v.Type().FriendlyName())
}

// flattenAttribute expands an object value into dotted attribute names, so
// keepalived = { virtual_ip = "..." } defines keepalived.virtual_ip, as Stacki spells it.
func flattenAttribute(name string, expr hcl.Expression, ctx *hcl.EvalContext, rng hcl.Range) ([]Attribute, hcl.Diagnostics) {
	v, diags := expr.Value(ctx)
	if diags.HasErrors() || !v.IsKnown() {
		return nil, diags
	}
	var out []Attribute
	var walk func(prefix string, v cty.Value)
	walk = func(prefix string, v cty.Value) {
		if !v.IsNull() && (v.Type().IsObjectType() || v.Type().IsMapType()) {
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				walk(prefix+"."+k.AsString(), ev)
			}
			return
		}
		s, err := scalarString(v)
		if err != nil {
			diags = append(diags, errorAt(expr.Range().Ptr(), "Invalid attribute value", fmt.Sprintf("Attribute %q %s.", prefix, err)))
			return
		}
		out = append(out, Attribute{Name: prefix, Value: s, Range: rng})
	}
	walk(name, v)
	return out, diags
}

type roleBlock struct {
	Attributes       hcl.Expression    `hcl:"attributes,optional"`
	Components       []string          `hcl:"components,optional"`
	Nodes            hcl.Expression    `hcl:"nodes,optional"`
	Repositories     []string          `hcl:"repositories,optional"`
	Install          string            `hcl:"install,optional"`
	ComponentInstall map[string]string `hcl:"component_install,optional"`
}

func (r *Recipe) decodeRoles(bs []*hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := firstSeen{}
	for _, b := range bs {
		name := b.Labels[0]
		if d := seen.add("role", name, b.LabelRanges[0]); d != nil {
			diags = append(diags, d)
			continue
		}
		var raw roleBlock
		diags = append(diags, gohcl.DecodeBody(b.Body, ctx, &raw)...)
		role := Role{Name: name, Components: raw.Components, Repositories: raw.Repositories, Install: raw.Install, ComponentInstall: raw.ComponentInstall, Range: b.DefRange}
		if raw.Attributes != nil {
			attrs, d := attributeMap(raw.Attributes, ctx)
			diags = append(diags, d...)
			role.Attributes = attrs
		}
		if raw.Nodes != nil && !isNullExpr(raw.Nodes) {
			nodes, d := r.decodeNodeList(raw.Nodes, ctx)
			diags = append(diags, d...)
			role.Nodes = nodes
		}
		if !validName(name) {
			diags = append(diags, errorAt(b.LabelRanges[0].Ptr(), "Invalid role name",
				fmt.Sprintf("%q is not a valid role name: use lowercase letters, digits and dashes (it names pallets and installers).", name)))
		}
		r.Roles = append(r.Roles, role)
	}
	return diags
}

// decodeNodeList reads a list of node file paths, resolved against the recipe directory.
func (r *Recipe) decodeNodeList(expr hcl.Expression, ctx *hcl.EvalContext) ([]Node, hcl.Diagnostics) {
	items, diags := hcl.ExprList(expr)
	if diags.HasErrors() {
		return nil, diags
	}
	var out []Node
	for _, item := range items {
		var p string
		d := gohcl.DecodeExpression(item, ctx, &p)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		if !strings.HasSuffix(p, ".xml") {
			diags = append(diags, errorAt(item.Range().Ptr(), "Node file is not XML",
				fmt.Sprintf("%q: node files are Stacki-style XML files named <node>.xml, extend-<node>.xml or replace-<node>.xml.", p)))
			continue
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.Dir, p)
		}
		out = append(out, Node{Path: p, Range: item.Range()})
	}
	return out, diags
}

type imageBlock struct {
	Source    string   `hcl:"source"`
	Target    string   `hcl:"target"`
	Platforms []string `hcl:"platforms,optional"`
}

func (r *Recipe) decodeImages(bs []*hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := firstSeen{}
	for _, b := range bs {
		name := b.Labels[0]
		if d := seen.add("image", name, b.LabelRanges[0]); d != nil {
			diags = append(diags, d)
			continue
		}
		var raw imageBlock
		d := gohcl.DecodeBody(b.Body, ctx, &raw)
		diags = append(diags, d...)
		img := Image{Name: name, Source: raw.Source, Target: raw.Target, Platforms: raw.Platforms, Range: b.DefRange}
		if !d.HasErrors() {
			attrs, _ := b.Body.JustAttributes()
			diags = append(diags, checkImage(img, attrs)...)
		}
		r.Images = append(r.Images, img)
	}
	return diags
}

var outputKinds = []string{"cloudinit", "installer", "kickstart", "pallet"}

func (r *Recipe) decodeOutputs(bs []*hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	seen := firstSeen{}
	for _, b := range bs {
		kind := b.Labels[0]
		if kind != "installer" { // one installer per role may be wanted; the others are singletons
			if d := seen.add("output", kind, b.LabelRanges[0]); d != nil {
				diags = append(diags, d)
				continue
			}
		}
		switch kind {
		case "pallet":
			o := &PalletOutput{Range: b.DefRange}
			diags = append(diags, gohcl.DecodeBody(b.Body, ctx, o)...)
			if o.Layout == "" {
				o.Layout = "v5"
			}
			if o.Layout != "v5" && o.Layout != "v3" {
				diags = append(diags, errorAt(b.DefRange.Ptr(), "Unknown pallet layout",
					fmt.Sprintf("layout %q: use \"v5\" (Stacki 5.x, the default) or \"v3\" (Stacki 3 frontends).", o.Layout)))
			}
			r.Outputs.Pallet = o
		case "kickstart":
			o := &KickstartOutput{Range: b.DefRange}
			diags = append(diags, gohcl.DecodeBody(b.Body, ctx, o)...)
			if o.InstallFrom == "" {
				o.InstallFrom = "cdrom"
			}
			if o.InstallFrom != "cdrom" {
				if d := checkURL(o.InstallFrom, "install_from", b.DefRange.Ptr()); d != nil {
					diags = append(diags, d)
				}
			}
			r.Outputs.Kickstart = o
		case "cloudinit":
			o := &CloudInitOutput{Range: b.DefRange}
			diags = append(diags, gohcl.DecodeBody(b.Body, ctx, o)...)
			if o.Gzip == "" {
				o.Gzip = "auto"
			}
			if o.Gzip != "auto" && o.Gzip != "always" && o.Gzip != "never" {
				diags = append(diags, errorAt(b.DefRange.Ptr(), "Invalid gzip setting",
					fmt.Sprintf("gzip = %q: use \"auto\" (compress only when over the 16 KiB EC2 budget), \"always\" or \"never\".", o.Gzip)))
			}
			if o.MirrorURL != "" {
				if d := checkURL(o.MirrorURL, "mirror_url", b.DefRange.Ptr()); d != nil {
					diags = append(diags, d)
				}
			}
			r.Outputs.CloudInit = o
		case "installer":
			o := InstallerOutput{Range: b.DefRange}
			diags = append(diags, gohcl.DecodeBody(b.Body, ctx, &o)...)
			if o.BaseISO != "" && !filepath.IsAbs(o.BaseISO) {
				o.BaseISO = filepath.Join(r.Dir, o.BaseISO)
			}
			r.Outputs.Installers = append(r.Outputs.Installers, o)
		default:
			diags = append(diags, errorAt(b.LabelRanges[0].Ptr(), "Unknown output",
				fmt.Sprintf("output %q is not one palletizer writes%s; outputs are %s.", kind, suggestion(kind, outputKinds), strings.Join(outputKinds, ", "))))
		}
	}
	return diags
}

// validName is what a role or host-derived file name may be.
func validName(s string) bool {
	return hclsyntax.ValidIdentifier(s) && strings.ToLower(s) == s && !strings.Contains(s, "_")
}
