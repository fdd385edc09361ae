package recipes

import (
	"fmt"
	"math/big"
	"net/netip"
	"regexp"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

type hostBlock struct {
	Role       string         `hcl:"role"`
	IP         string         `hcl:"ip"`
	Rack       int            `hcl:"rack,optional"`
	Rank       *int           `hcl:"rank,optional"`
	Attributes hcl.Expression `hcl:"attributes,optional"`
}

type hostsBlock struct {
	Count      int            `hcl:"count"`
	First      int            `hcl:"first,optional"`
	Role       string         `hcl:"role"`
	IPFrom     string         `hcl:"ip_from"`
	Rack       int            `hcl:"rack,optional"`
	Attributes hcl.Expression `hcl:"attributes,optional"`
}

// maxHostsPerRange bounds a hosts block so a typo in count cannot exhaust memory.
const maxHostsPerRange = 100000

var patternVerb = regexp.MustCompile(`%0?[0-9]*d`)

func (r *Recipe) decodeHosts(single, ranges []*hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var diags hcl.Diagnostics
	// host and hosts blocks are expanded in source order so ranks follow the recipe.
	all := append(append([]*hcl.Block{}, single...), ranges...)
	for i := 1; i < len(all); i++ {
		for j := i; j > 0 && all[j].DefRange.Start.Byte < all[j-1].DefRange.Start.Byte; j-- {
			all[j], all[j-1] = all[j-1], all[j]
		}
	}
	for _, b := range all {
		switch b.Type {
		case "host":
			diags = append(diags, r.decodeHost(b, ctx)...)
		case "hosts":
			diags = append(diags, r.decodeHostRange(b, ctx)...)
		}
	}
	return diags
}

func (r *Recipe) decodeHost(b *hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var raw hostBlock
	diags := gohcl.DecodeBody(b.Body, ctx, &raw)
	if diags.HasErrors() {
		return diags
	}
	attrs, _ := b.Body.JustAttributes()
	h := Host{Name: b.Labels[0], Role: raw.Role, Rack: raw.Rack, Rank: r.nextRank(raw.Rack), Range: b.DefRange, RoleRange: *attrRanges{attrs, b.DefRange}.at("role")}
	if raw.Rank != nil {
		h.Rank = *raw.Rank
	}
	addr, err := netip.ParseAddr(raw.IP)
	if err != nil {
		diags = append(diags, errorAt(attrRanges{attrs, b.DefRange}.at("ip"), "Invalid host address",
			fmt.Sprintf("ip = %q is not an IP address; write e.g. \"10.1.1.10\".", raw.IP)))
	}
	h.Addr = addr
	if raw.Attributes != nil {
		a, d := attributeMap(raw.Attributes, ctx)
		diags = append(diags, d...)
		h.Attributes = a
	}
	diags = append(diags, checkHostName(h.Name, b.LabelRanges[0].Ptr())...)
	r.Hosts = append(r.Hosts, h)
	return diags
}

func (r *Recipe) decodeHostRange(b *hcl.Block, ctx *hcl.EvalContext) hcl.Diagnostics {
	var raw hostsBlock
	diags := gohcl.DecodeBody(b.Body, ctx, &raw)
	if diags.HasErrors() {
		return diags
	}
	attrs, _ := b.Body.JustAttributes()
	pattern := b.Labels[0]
	if n := len(patternVerb.FindAllString(pattern, -1)); n != 1 || strings.Count(pattern, "%") != 1 {
		return append(diags, errorAt(b.LabelRanges[0].Ptr(), "Invalid host name pattern",
			fmt.Sprintf("%q must hold exactly one %%d (or %%02d) where the host number goes, e.g. \"backend-0-%%d\".", pattern)))
	}
	if raw.Count < 1 || raw.Count > maxHostsPerRange {
		return append(diags, errorAt(attrRanges{attrs, b.DefRange}.at("count"), "Invalid host count",
			fmt.Sprintf("count = %d: a hosts block names 1 to %d hosts.", raw.Count, maxHostsPerRange)))
	}
	if raw.First < 0 {
		return append(diags, errorAt(attrRanges{attrs, b.DefRange}.at("first"), "Invalid first index", "first must be 0 or more."))
	}
	start, err := netip.ParseAddr(raw.IPFrom)
	if err != nil {
		return append(diags, errorAt(attrRanges{attrs, b.DefRange}.at("ip_from"), "Invalid first address",
			fmt.Sprintf("ip_from = %q is not an IP address; write e.g. \"10.1.1.11\".", raw.IPFrom)))
	}
	last, err := addrAdd(start, int64(raw.Count-1))
	network := r.Cluster.Network
	switch {
	case err != nil:
		return append(diags, errorAt(attrRanges{attrs, b.DefRange}.at("ip_from"), "Address range overflows",
			fmt.Sprintf("%d hosts from %s run past the last address; start lower or name fewer hosts.", raw.Count, start)))
	case network.IsValid() && network.Contains(start) && !network.Contains(last):
		return append(diags, errorAt(attrRanges{attrs, b.DefRange}.at("count"), "Address range overflows its network",
			fmt.Sprintf("%d hosts from %s end at %s, outside network %s; start lower, name fewer hosts, or widen the network.", raw.Count, start, last, network)))
	}
	var hostAttrs []Attribute
	if raw.Attributes != nil {
		a, d := attributeMap(raw.Attributes, ctx)
		diags = append(diags, d...)
		hostAttrs = a
	}
	addr := start
	for i := 0; i < raw.Count; i++ {
		name := fmt.Sprintf(pattern, raw.First+i)
		if i == 0 {
			diags = append(diags, checkHostName(name, b.LabelRanges[0].Ptr())...)
		}
		r.Hosts = append(r.Hosts, Host{
			Name: name, Role: raw.Role, Addr: addr, Rack: raw.Rack, Rank: r.nextRank(raw.Rack),
			Attributes: hostAttrs, Range: b.DefRange, RoleRange: *attrRanges{attrs, b.DefRange}.at("role"),
		})
		addr = addr.Next()
	}
	return diags
}

// nextRank numbers hosts within a rack in recipe order, as Stacki's backend-<rack>-<rank>.
func (r *Recipe) nextRank(rack int) int {
	n := 0
	for _, h := range r.Hosts {
		if h.Rack == rack {
			n++
		}
	}
	return n
}

var rfc1123Label = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

func checkHostName(name string, rng *hcl.Range) hcl.Diagnostics {
	if len(name) <= 253 {
		ok := true
		for _, label := range strings.Split(name, ".") {
			if !rfc1123Label.MatchString(label) {
				ok = false
			}
		}
		if ok {
			return nil
		}
	}
	return hcl.Diagnostics{errorAt(rng, "Invalid host name",
		fmt.Sprintf("%q is not an RFC 1123 host name: use lowercase letters, digits and dashes, not starting or ending with a dash, at most 63 characters per label.", name))}
}

// addrAdd returns a+n, or an error when that runs past the last address of a's family.
func addrAdd(a netip.Addr, n int64) (netip.Addr, error) {
	v := new(big.Int).SetBytes(a.AsSlice())
	v.Add(v, big.NewInt(n))
	if v.BitLen() > a.BitLen() {
		return netip.Addr{}, fmt.Errorf("%s + %d overflows", a, n)
	}
	buf := make([]byte, a.BitLen()/8)
	v.FillBytes(buf)
	out, _ := netip.AddrFromSlice(buf)
	return out, nil
}
