package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/palletizer/palletizer/builder"
)

func newBuildCommand() *cobra.Command {
	var rf recipeFlags
	var opts builder.BuildOptions
	cmd := &cobra.Command{
		Use:   "build RECIPE [--out DIR] [--locked] [--version V]",
		Short: "Write every output of the recipe: repositories, pallets, installers, kickstarts, user-data",
		Args:  oneRecipe,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			opts.ToolVersion = version
			opts.Progress = newProgress(cmd.ErrOrStderr()).event
			res, err := builder.Build(cmd.Context(), r, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, a := range res.Manifest.Artifacts {
				fmt.Fprintf(out, "%s  %10d  %s\n", a.SHA256[:12], a.Size, a.Path)
			}
			fmt.Fprintf(out, "%d artifacts in %s (%d written, the rest unchanged)\n", len(res.Manifest.Artifacts), opts.Out, res.Rewritten)
			return nil
		},
	}
	rf.bind(cmd)
	cmd.Flags().StringVar(&opts.Out, "out", "out", "output directory")
	cmd.Flags().StringVar(&opts.Store, "store", "", "download store shared between runs (default <out>/.store)")
	cmd.Flags().BoolVar(&opts.Locked, "locked", false, "build exactly what palletizer.lock.hcl pins; fail on drift")
	cmd.Flags().StringVar(&rf.version, "version", "", "override the cluster version that names every artifact")
	return cmd
}
