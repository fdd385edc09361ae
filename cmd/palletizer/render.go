package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/palletizer/palletizer/builder"
)

func newRenderCommand() *cobra.Command {
	var rf recipeFlags
	var host, format string
	cmd := &cobra.Command{
		Use:   "render RECIPE --host HOST [--format kickstart|profile|cloud-config|user-data]",
		Short: "Print one host's kickstart, Stacki profile XML, cloud-config or EC2 user-data",
		Args:  oneRecipe,
		PreRunE: func(cmd *cobra.Command, args []string) error {
			if host == "" {
				return usageError{fmt.Errorf("render needs --host")}
			}
			if !slices.Contains(builder.Formats, format) {
				return usageError{fmt.Errorf("--format %q: use one of %s", format, strings.Join(builder.Formats, ", "))}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			profiles, err := builder.NewProfiles(r, nil)
			if err != nil {
				return err
			}
			p, err := profiles.Host(host)
			if err != nil {
				return err
			}
			out, err := builder.Render(r, p, format)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
	rf.bind(cmd)
	cmd.Flags().StringVar(&host, "host", "", "the host to render")
	cmd.Flags().StringVar(&format, "format", builder.FormatKickstart, "kickstart, profile, cloud-config or user-data")
	_ = cmd.RegisterFlagCompletionFunc("format", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return builder.Formats, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}
