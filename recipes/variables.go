package recipes

import (
	"fmt"
	"os"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// envPrefix is how a variable is set from the environment: PALLETIZER_VAR_registry=...
const envPrefix = "PALLETIZER_VAR_"

type variableBlock struct {
	Type        hcl.Expression    `hcl:"type,optional"`
	Default     hcl.Expression    `hcl:"default,optional"`
	Description string            `hcl:"description,optional"`
	Validations []validationBlock `hcl:"validation,block"`
}

type validationBlock struct {
	Condition    hcl.Expression `hcl:"condition"`
	ErrorMessage string         `hcl:"error_message"`
}

type variableDef struct {
	name  string
	typ   cty.Type
	block variableBlock
	rng   hcl.Range
}

// decodeVariables resolves every variable: default < PALLETIZER_VAR_x < --var-file < --var.
func decodeVariables(bs []*hcl.Block, p *hclparse.Parser, opts Options) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	defs := map[string]*variableDef{}
	seen := firstSeen{}
	var order []*variableDef
	for _, b := range bs {
		name := b.Labels[0]
		if d := seen.add("variable", name, b.DefRange); d != nil {
			diags = append(diags, d)
			continue
		}
		if !hclsyntax.ValidIdentifier(name) {
			diags = append(diags, errorAt(b.LabelRanges[0].Ptr(), "Invalid variable name",
				fmt.Sprintf("%q is not a valid name: use letters, digits, underscores and dashes, starting with a letter.", name)))
			continue
		}
		v := &variableDef{name: name, typ: cty.DynamicPseudoType, rng: b.DefRange}
		diags = append(diags, gohcl.DecodeBody(b.Body, nil, &v.block)...)
		if v.block.Type != nil && !isNullExpr(v.block.Type) {
			t, d := typeexpr.TypeConstraint(v.block.Type)
			diags = append(diags, d...)
			if !d.HasErrors() {
				v.typ = t
			}
		}
		defs[name] = v
		order = append(order, v)
	}

	raw := map[string]hcl.Expression{} // set values by name, later sources replace earlier ones
	parsedRaw := func(name, value, where string) {
		v, ok := defs[name]
		if !ok && strings.HasPrefix(where, "environment") {
			return // the environment may hold values for other recipes
		}
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Value for undeclared variable",
				Detail:   fmt.Sprintf("%s sets %q, but the recipe declares no variable %q%s.", where, name, name, suggestion(name, sortedKeys(defs))),
			})
			return
		}
		if v.typ == cty.String || v.typ == cty.DynamicPseudoType {
			raw[name] = hcl.StaticExpr(cty.StringVal(value), hcl.Range{Filename: where})
			return
		}
		expr, d := hclsyntax.ParseExpression([]byte(value), where, hcl.InitialPos)
		diags = append(diags, d...)
		if !d.HasErrors() {
			raw[name] = expr
		}
	}
	environ := opts.Environ
	if environ == nil {
		environ = os.Environ()
	}
	for _, kv := range environ {
		if name, value, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(name, envPrefix) {
			parsedRaw(strings.TrimPrefix(name, envPrefix), value, "environment variable "+name)
		}
	}
	for _, path := range opts.VarFiles {
		f, d := p.ParseHCLFile(path)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		attrs, d := f.Body.JustAttributes()
		diags = append(diags, d...)
		for _, name := range sortedKeys(attrs) {
			if _, ok := defs[name]; !ok {
				diags = append(diags, errorAt(attrs[name].NameRange.Ptr(), "Value for undeclared variable",
					fmt.Sprintf("The recipe declares no variable %q%s.", name, suggestion(name, sortedKeys(defs)))))
				continue
			}
			raw[name] = attrs[name].Expr
		}
	}
	for _, name := range sortedKeys(opts.Vars) {
		parsedRaw(name, opts.Vars[name], "--var "+name)
	}

	vals := map[string]cty.Value{}
	for _, v := range order {
		expr, set := raw[v.name]
		if !set {
			if v.block.Default == nil || isNullExpr(v.block.Default) {
				diags = append(diags, errorAt(v.rng.Ptr(), "Missing value for variable",
					fmt.Sprintf("Variable %q has no default; set it with --var %s=VALUE, --var-file, or %s%s.", v.name, v.name, envPrefix, v.name)))
				vals[v.name] = cty.UnknownVal(v.typ)
				continue
			}
			expr = v.block.Default
		}
		val, d := expr.Value(nil)
		diags = append(diags, d...)
		if !d.HasErrors() && v.typ != cty.DynamicPseudoType {
			conv, err := convert.Convert(val, v.typ)
			if err != nil {
				diags = append(diags, errorAt(expr.Range().Ptr(), "Invalid value for variable",
					fmt.Sprintf("Variable %q must be %s: %s.", v.name, v.typ.FriendlyName(), err)))
				val = cty.UnknownVal(v.typ)
			} else {
				val = conv
			}
		}
		vals[v.name] = val
	}
	// Validation conditions see only var, so run them once every value is known.
	ctx := &hcl.EvalContext{Variables: map[string]cty.Value{"var": cty.ObjectVal(vals)}, Functions: functions("")}
	for _, v := range order {
		for _, vb := range v.block.Validations {
			ok, d := vb.Condition.Value(ctx)
			diags = append(diags, d...)
			if d.HasErrors() || !ok.IsKnown() {
				continue
			}
			if ok.Type() != cty.Bool || ok.IsNull() {
				diags = append(diags, errorAt(vb.Condition.Range().Ptr(), "Invalid validation condition", "The condition must be true or false."))
				continue
			}
			if ok.False() {
				subject := v.rng
				if e, set := raw[v.name]; set && e.Range().Filename != "" {
					subject = e.Range()
				} else if !set && v.block.Default != nil {
					subject = v.block.Default.Range()
				}
				diags = append(diags, errorAt(subject.Ptr(), "Invalid value for variable",
					fmt.Sprintf("Variable %q: %s (validation at %s).", v.name, vb.ErrorMessage, vb.Condition.Range())))
			}
		}
	}
	return vals, diags
}

// isNullExpr reports whether an optional expression was left out (gohcl gives a null static one).
func isNullExpr(e hcl.Expression) bool {
	if len(e.Variables()) > 0 {
		return false
	}
	v, d := e.Value(nil)
	return !d.HasErrors() && v.IsNull()
}

// decodeLocals evaluates locals blocks in dependency order, so one local may use another.
func decodeLocals(bs []*hcl.Block, ctx *hcl.EvalContext) (map[string]cty.Value, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	pending := map[string]*hcl.Attribute{}
	seen := firstSeen{}
	for _, b := range bs {
		attrs, d := b.Body.JustAttributes()
		diags = append(diags, d...)
		for _, name := range sortedKeys(attrs) {
			if d := seen.add("local", name, attrs[name].NameRange); d != nil {
				diags = append(diags, d)
				continue
			}
			pending[name] = attrs[name]
		}
	}
	vals := map[string]cty.Value{}
	for len(pending) > 0 {
		progressed := false
		for _, name := range sortedKeys(pending) {
			a := pending[name]
			if !localsReady(a.Expr, vals, pending) {
				continue
			}
			ctx.Variables["local"] = cty.ObjectVal(vals)
			v, d := a.Expr.Value(ctx)
			diags = append(diags, d...)
			vals[name] = v
			delete(pending, name)
			progressed = true
		}
		if !progressed {
			for _, name := range sortedKeys(pending) {
				diags = append(diags, errorAt(pending[name].Expr.Range().Ptr(), "Cycle in locals",
					fmt.Sprintf("local.%s depends, directly or not, on itself; break the cycle.", name)))
			}
			break
		}
	}
	return vals, diags
}

func localsReady(e hcl.Expression, done map[string]cty.Value, pending map[string]*hcl.Attribute) bool {
	for _, t := range e.Variables() {
		if t.RootName() != "local" || len(t) < 2 {
			continue
		}
		if attr, ok := t[1].(hcl.TraverseAttr); ok {
			if _, waiting := pending[attr.Name]; waiting {
				if _, ok := done[attr.Name]; !ok {
					return false
				}
			}
		}
	}
	return true
}
