package main

import (
	"errors"
	"fmt"
	pathpkg "path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/palletizer/palletizer/builder"
	"github.com/palletizer/palletizer/iso"
)

func newInspectCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "inspect FILE.iso",
		Short: "List and verify a pallet (roll XML, repodata against RPMS) or an installer",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError{fmt.Errorf("inspect takes one ISO file")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if pallet, err := hasRoll(args[0]); err != nil {
				return err
			} else if !pallet {
				return inspectInstaller(cmd, args[0])
			}
			rep, err := iso.InspectPallet(args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "%s: pallet image, volume %q\n", args[0], rep.Label)
			for _, p := range rep.Pallets {
				fmt.Fprintf(out, "  %s %s-%s %s/%s at /%s\n", p.Roll.Name, p.Roll.Version, p.Roll.Release, p.Roll.OS, p.Roll.Arch, p.Root)
				for _, f := range p.Files {
					fmt.Fprintf(out, "    %s  %10d  %s\n", f.SHA256[:12], f.Size, f.Path)
				}
				if err := builder.VerifyPallet(args[0], p); err != nil {
					return err
				}
				fmt.Fprintf(out, "  verified: roll XML valid, repodata matches RPMS (%d files)\n", len(p.Files))
			}
			return nil
		},
	}
}

func inspectInstaller(cmd *cobra.Command, path string) error {
	img, err := iso.Open(path)
	if err != nil {
		return err
	}
	defer img.Close()
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "%s: volume %q\n", path, img.Label())
	cat, err := img.BootCatalog()
	if err != nil && !errors.Is(err, iso.ErrNoBootCatalog) {
		return err
	}
	for _, e := range cat {
		fmt.Fprintf(out, "  boot %-4v %s\n", e.Platform, e.Path)
	}
	if _, ok := img.Stat(iso.KickstartPath); ok {
		fmt.Fprintf(out, "  kickstart %s\n", iso.KickstartPath)
	}
	for _, f := range img.Files() {
		fmt.Fprintf(out, "  %10d  %s\n", f.Size, f.Path)
	}
	return nil
}

// hasRoll reports whether an ISO holds a roll-*.xml, as `stack add pallet` looks for one.
func hasRoll(path string) (bool, error) {
	img, err := iso.Open(path)
	if err != nil {
		return false, err
	}
	defer img.Close()
	for _, f := range img.Files() {
		if base := pathpkg.Base(f.Path); strings.HasPrefix(base, "roll-") && strings.HasSuffix(base, ".xml") {
			return true, nil
		}
	}
	return false, nil
}
