package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/palletizer/palletizer/builder"
)

func newMirrorCommand() *cobra.Command {
	var rf recipeFlags
	var opts builder.BuildOptions
	var locked bool
	cmd := &cobra.Command{
		Use:   "mirror RECIPE",
		Short: "Fetch and verify the recipe's repositories into the store",
		Args:  oneRecipe,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			var lock *builder.Lock
			if locked {
				l, diags := builder.ReadLock(builder.LockPath(r))
				if err := loadFailed(cmd, nil, diags); err != nil {
					return err
				}
				lock = l
			}
			opts.Progress = newProgress(cmd.ErrOrStderr()).event
			m, err := builder.Mirror(cmd.Context(), r, lock, opts)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			var total int64
			for _, p := range m.Selection.Packages {
				fmt.Fprintf(out, "%-20s %s\n", p.Repo, p.NEVRA())
				total += p.Size
			}
			fmt.Fprintf(out, "%d packages, %d bytes, verified in %s\n", len(m.Selection.Packages), total, m.Store.Root())
			return nil
		},
	}
	rf.bind(cmd)
	cmd.Flags().StringVar(&opts.Out, "out", "out", "output directory (the store defaults to <out>/.store)")
	cmd.Flags().StringVar(&opts.Store, "store", "", "download store shared between runs")
	cmd.Flags().BoolVar(&locked, "locked", false, "fetch exactly what palletizer.lock.hcl pins; fail on drift")
	return cmd
}

func newLockCommand() *cobra.Command {
	var rf recipeFlags
	var opts builder.BuildOptions
	cmd := &cobra.Command{
		Use:   "lock RECIPE",
		Short: "Resolve packages and images and write palletizer.lock.hcl beside the recipe",
		Args:  oneRecipe,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			opts.Progress = newProgress(cmd.ErrOrStderr()).event
			l, err := builder.Resolve(cmd.Context(), r, opts)
			if err != nil {
				return err
			}
			path := builder.LockPath(r)
			if err := builder.WriteLock(path, l); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d packages, %d images pinned\n", path, len(l.Packages), len(l.Images))
			return nil
		},
	}
	rf.bind(cmd)
	cmd.Flags().StringVar(&opts.Out, "out", "out", "output directory (the store defaults to <out>/.store)")
	cmd.Flags().StringVar(&opts.Store, "store", "", "download store shared between runs")
	return cmd
}
