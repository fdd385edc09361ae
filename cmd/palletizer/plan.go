package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/palletizer/palletizer/builder"
)

func newPlanCommand() *cobra.Command {
	var rf recipeFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan RECIPE",
		Short: "Show hosts, roles, resolved attributes, package sets, images and outputs",
		Args:  oneRecipe,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			p, diags := builder.MakePlan(r)
			if err := loadFailed(cmd, filesOf(r), diags); err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			}
			return writePlan(cmd.OutOrStdout(), p)
		},
	}
	rf.bind(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON")
	return cmd
}

func writePlan(w io.Writer, p *builder.Plan) error {
	c := p.Cluster
	fmt.Fprintf(w, "cluster %s %s (%s, %s)\n", c.Name, c.Version, c.OS, c.Arch)
	if len(c.Masters) > 0 {
		fmt.Fprintf(w, "  mesos masters: %s (quorum %d)\n", strings.Join(c.Masters, ", "), c.Quorum)
	}
	if len(c.Zookeeper) > 0 {
		fmt.Fprintf(w, "  zookeeper ensemble: %s\n", strings.Join(c.Zookeeper, ", "))
	}
	fmt.Fprintln(w, "\nroles")
	for _, r := range p.Roles {
		fmt.Fprintf(w, "  %s (%d hosts)\n", r.Name, r.Hosts)
		fmt.Fprintf(w, "    components: %s\n", orNone(r.Components))
		for _, comp := range r.Components {
			if m, ok := r.Install[comp]; ok {
				fmt.Fprintf(w, "      %s as %s\n", comp, m)
			}
		}
		fmt.Fprintf(w, "    packages:   %s\n", orNone(r.Packages))
	}
	fmt.Fprintln(w, "\nhosts")
	for _, h := range p.Hosts {
		fmt.Fprintf(w, "  %s  role %s  %s\n", h.Name, h.Role, h.Address)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, a := range h.Attributes {
			if a.Scope == "intrinsic" || a.Scope == "default" {
				continue // derived or built-in values; --json shows them all
			}
			from := string(a.Scope)
			if a.Where != "" {
				from += ", " + a.Where
			}
			fmt.Fprintf(tw, "    %s\t= %s\t(%s)\n", a.Name, a.Value, from)
		}
		tw.Flush()
	}
	if len(p.Repositories) > 0 {
		fmt.Fprintln(w, "\nrepositories")
		for _, r := range p.Repositories {
			fmt.Fprintf(w, "  %s (%s) %s\n    packages: %s", r.Name, r.Type, r.URL, strings.Join(r.Packages, ", "))
			var flags []string
			if r.Newest {
				flags = append(flags, "newest")
			}
			if r.Deps {
				flags = append(flags, "with dependencies")
			}
			if r.GPGCheck {
				flags = append(flags, "gpgcheck")
			}
			if len(flags) > 0 {
				fmt.Fprintf(w, " (%s)", strings.Join(flags, ", "))
			}
			fmt.Fprintln(w)
		}
	}
	if len(p.Images) > 0 {
		fmt.Fprintln(w, "\nimages")
		for _, i := range p.Images {
			fmt.Fprintf(w, "  %s: %s -> %s\n", i.Name, i.Source, i.Target)
		}
	}
	fmt.Fprintf(w, "\noutputs: %s\n", orNone(p.Outputs))
	return nil
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "(none)"
	}
	return strings.Join(s, ", ")
}
