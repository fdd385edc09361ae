package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newValidateCommand() *cobra.Command {
	var rf recipeFlags
	cmd := &cobra.Command{
		Use:   "validate RECIPE",
		Short: "Check a recipe and print every problem with its position; exit 1 on any error",
		Args:  oneRecipe,
		RunE: func(cmd *cobra.Command, args []string) error {
			r, err := rf.load(cmd, args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: valid (%s, %s, %s)\n", args[0],
				plural(len(r.Hosts), "host"), plural(len(r.Roles), "role"), plural(len(r.Repositories), "repository"))
			return nil
		},
	}
	rf.bind(cmd)
	return cmd
}
