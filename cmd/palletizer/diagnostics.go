package main

import (
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/palletizer/palletizer/builder"
	"github.com/palletizer/palletizer/recipes"
)

// recipeFlags are the flags every recipe-reading command shares.
type recipeFlags struct {
	vars     map[string]string
	varFiles []string
	version  string // --version of build: overrides the cluster version
}

func (f *recipeFlags) bind(cmd *cobra.Command) {
	cmd.Flags().StringToStringVar(&f.vars, "var", nil, "set a recipe variable (name=value); repeatable")
	cmd.Flags().StringArrayVar(&f.varFiles, "var-file", nil, "read recipe variables from an HCL file; repeatable")
}

// load reads and checks the recipe at path, writing its diagnostics; an error means it had
// errors (already reported) and the command should stop.
func (f *recipeFlags) load(cmd *cobra.Command, path string) (*recipes.Recipe, error) {
	r, diags := builder.Load(path, recipes.Options{Vars: f.vars, VarFiles: f.varFiles, Version: f.version})
	if err := loadFailed(cmd, filesOf(r), diags); err != nil {
		return nil, err
	}
	return r, nil
}

// writeDiagnostics renders diagnostics with source snippets; colour only on a terminal and
// never when NO_COLOR is set.
func writeDiagnostics(w io.Writer, files map[string]*hcl.File, diags hcl.Diagnostics) {
	if len(diags) == 0 {
		return
	}
	color := false
	width := uint(100)
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		_, noColor := os.LookupEnv("NO_COLOR")
		color = !noColor
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 20 {
			width = uint(cols)
		}
	}
	dw := hcl.NewDiagnosticTextWriter(w, files, width, color)
	_ = dw.WriteDiagnostics(diags)
}

// loadFailed reports diagnostics and says whether they stop the command.
func loadFailed(cmd *cobra.Command, files map[string]*hcl.File, diags hcl.Diagnostics) error {
	writeDiagnostics(cmd.ErrOrStderr(), files, diags)
	if diags.HasErrors() {
		n := 0
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				n++
			}
		}
		return reportedError{what: plural(n, "error")}
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	if strings.HasSuffix(word, "y") {
		return strconv.Itoa(n) + " " + strings.TrimSuffix(word, "y") + "ies"
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// filesOf gives the parsed sources for snippets; a recipe that did not parse has none.
func filesOf(r *recipes.Recipe) map[string]*hcl.File {
	if r == nil {
		return nil
	}
	return r.Files
}
