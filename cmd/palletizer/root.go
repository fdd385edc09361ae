package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "palletizer",
		Short: "Build everything an air-gapped cluster needs from one HCL recipe",
		Long: "palletizer turns one HCL cluster recipe into mirrored package repositories, Stacki\n" +
			"pallets, offline installer ISOs, per-host kickstarts, cloud-init user-data and the\n" +
			"cluster's container images, so every node comes up configured at first boot.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newValidateCommand(),
		newPlanCommand(),
		newRenderCommand(),
		newMirrorCommand(),
		newLockCommand(),
		newBuildCommand(),
		newPushCommand(),
		newInspectCommand(),
		newVersionCommand(),
	)
	// Unknown subcommands are usage errors too.
	root.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageError{fmt.Errorf("unknown command %q", args[0])}
		}
		return nil
	}
	root.RunE = func(cmd *cobra.Command, args []string) error { return cmd.Help() }
	return root
}

// oneRecipe is the Args check of every command that takes a recipe path.
func oneRecipe(cmd *cobra.Command, args []string) error {
	if len(args) != 1 {
		return usageError{fmt.Errorf("%s takes one recipe file, got %d arguments (%s)", cmd.Name(), len(args), strings.Join(args, " "))}
	}
	return nil
}

func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments", cmd.Name())}
	}
	return nil
}
