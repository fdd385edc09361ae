package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/palletizer/palletizer/builder"
)

func newPushCommand() *cobra.Command {
	var rf recipeFlags
	var opts builder.PushOptions
	cmd := &cobra.Command{
		Use:   "push RECIPE [--registry R] [--from out/images] [--on-existing skip|overwrite|error]",
		Short: "Push the image bundle into the site registry, digests preserved",
		Args:  oneRecipe,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			opts.Progress = newProgress(cmd.ErrOrStderr()).event
			pushed, err := builder.Push(cmd.Context(), r, opts)
			for _, p := range pushed {
				fmt.Fprintf(cmd.OutOrStdout(), "%-12s %-60s %s\n", p.Action, p.Target, p.Digest)
			}
			return err
		},
	}
	rf.bind(cmd)
	cmd.Flags().StringVar(&opts.Bundle, "from", "out/images", "the OCI layout bundle written by build")
	cmd.Flags().StringVar(&opts.Registry, "registry", "", "push to this registry (host[:port]) instead of each target's")
	cmd.Flags().StringVar(&opts.OnExisting, "on-existing", "error", "when a tag exists with another digest: skip, overwrite or error")
	return cmd
}
