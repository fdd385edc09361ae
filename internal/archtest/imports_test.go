package archtest

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/palletizer/palletizer"

type pkg struct {
	ImportPath string
	Dir        string
	Imports    []string
	Deps       []string
	GoFiles    []string
}

func listPackages(t *testing.T) []pkg {
	t.Helper()
	out, err := exec.Command("go", "list", "-json", module+"/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []pkg
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for dec.More() {
		var p pkg
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 3 {
		t.Fatalf("go list found only %d packages", len(pkgs))
	}
	return pkgs
}

func TestImportRules(t *testing.T) {
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(strings.TrimPrefix(p.ImportPath, module), "/")
		for _, imp := range p.Imports {
			if strings.HasPrefix(imp, module+"/cmd") {
				t.Errorf("%s imports %s: nothing imports cmd", p.ImportPath, imp)
			}
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			own := strings.TrimPrefix(imp, module+"/")
			switch {
			case rel == "kickstart" || rel == "cloudinit":
				if own != "profile" {
					t.Errorf("%s imports %s: kickstart and cloudinit import profile only", rel, own)
				}
			case rel == "recipes" || rel == "profile":
				if own != "profile" {
					t.Errorf("%s imports %s: %s may not depend on the packages that use it", rel, own, rel)
				}
			}
		}
		if rel == "recipes" {
			for _, dep := range p.Deps {
				if dep == "net/http" || strings.HasSuffix(dep, "/mirrors") || strings.HasSuffix(dep, "/images") {
					t.Errorf("recipes depends on %s: recipes imports no network code", dep)
				}
			}
		}
	}
}

// TestLibrariesAreSilent: only cmd writes to the terminal; libraries return values, errors and
// progress events.
func TestLibrariesAreSilent(t *testing.T) {
	banned := map[string]bool{
		"os.Stdout": true, "os.Stderr": true, "fmt.Print": true, "fmt.Printf": true, "fmt.Println": true,
		"log.Print": true, "log.Printf": true, "log.Println": true, "log.Fatal": true, "log.Fatalf": true,
		"os.Exit": true,
	}
	for _, p := range listPackages(t) {
		rel := strings.TrimPrefix(p.ImportPath, module+"/")
		if strings.HasPrefix(rel, "cmd/") || strings.HasPrefix(rel, "internal/demo") || strings.HasSuffix(rel, "test") {
			continue // commands, the demo program and test fixture packages may talk
		}
		fset := token.NewFileSet()
		for _, name := range p.GoFiles {
			f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && banned[id.Name+"."+sel.Sel.Name] {
					t.Errorf("%s: %s.%s in library package %s; return values or progress events instead", fset.Position(sel.Pos()), id.Name, sel.Sel.Name, rel)
				}
				return true
			})
		}
	}
}
