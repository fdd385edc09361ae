package builder

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/palletizer/palletizer/iso"
	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/profile"
	"github.com/palletizer/palletizer/recipes"
)

// palletJob is one pallet to write: the whole cluster's, or one role's.
type palletJob struct {
	pallet iso.Pallet
	roles  []recipes.Role
	pkgs   []mirrors.Package
}

// writePallets writes one Stacki pallet per role (when asked) and one for the whole cluster.
func writePallets(ctx context.Context, r *recipes.Recipe, profiles *Profiles, m *Mirrored, roles map[string][]mirrors.Package, tree *outTree, epoch time.Time, progress func(Event)) error {
	o := r.Outputs.Pallet
	if o == nil {
		return nil
	}
	layout := iso.LayoutStacki5
	if o.Layout == "v3" {
		layout = iso.LayoutV3
	}
	release := o.Release
	if release == "" {
		release = r.Cluster.OS.Family + r.Cluster.OS.Major()
	}
	mk := func(name string) iso.Pallet {
		return iso.Pallet{Name: name, Version: r.Cluster.Version, Release: release, OS: r.Cluster.OS.Family, Arch: r.Cluster.Arch}
	}
	jobs := []palletJob{{pallet: mk(r.Cluster.Name), roles: r.Roles, pkgs: m.Selection.Packages}}
	if o.PerRole {
		for _, role := range r.Roles {
			jobs = append(jobs, palletJob{pallet: mk(r.Cluster.Name + "-" + role.Name), roles: []recipes.Role{role}, pkgs: roles[role.Name]})
		}
	}
	for _, job := range jobs {
		progress(Event{Step: "pallet", Message: job.pallet.FileName()})
		if err := writePallet(ctx, r, profiles, m, job, layout, tree, epoch); err != nil {
			return fmt.Errorf("pallet %s: %w", job.pallet.FileName(), err)
		}
	}
	return nil
}

func writePallet(ctx context.Context, r *recipes.Recipe, profiles *Profiles, m *Mirrored, job palletJob, layout iso.Layout, tree *outTree, epoch time.Time) error {
	work, err := tree.path(".work")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(work, "pallet-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	dir, err := iso.StagePalletMeta(stage, iso.NewRoll(job.pallet), layout, epoch)
	if err != nil {
		return err
	}
	if err := mirrors.Publish(ctx, dir, job.pkgs, m.Store, mirrors.PublishOptions{PackageDir: "RPMS", Time: epoch.Unix()}); err != nil {
		return err
	}
	if err := stageNodes(dir, profiles, job.roles); err != nil {
		return err
	}
	rel := "pallets/" + job.pallet.FileName()
	out, err := tree.path(rel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	// Write beside the old one and keep the old file when the bytes are the same, so an
	// unchanged pallet is not rewritten.
	tmp, err := tree.path(".work/" + job.pallet.FileName())
	if err != nil {
		return err
	}
	if err := iso.Write(ctx, stage, tmp, iso.WriteOptions{VolumeLabel: iso.PalletLabel, ModTime: epoch, Workspace: work}); err != nil {
		return err
	}
	if err := replaceIfChanged(tmp, out, tree); err != nil {
		return err
	}
	var inputs []string
	for _, role := range job.roles {
		inputs = append(inputs, "role:"+role.Name)
	}
	for _, p := range job.pkgs {
		inputs = append(inputs, "package:"+p.NEVRA())
	}
	return tree.record(rel, "pallet", inputs...)
}

// replaceIfChanged renames tmp over dst unless dst already has the same bytes.
func replaceIfChanged(tmp, dst string, tree *outTree) error {
	newSum, _, err := fileSHA256(tmp)
	if err != nil {
		return err
	}
	if oldSum, _, err := fileSHA256(dst); err == nil && oldSum == newSum {
		return os.Remove(tmp)
	}
	tree.written++
	return os.Rename(tmp, dst)
}

// stageNodes writes nodes/ (the built-in and site node files) and graph/ (the built-in graph and
// one file per role rooting it at base and its components) into a pallet directory.
func stageNodes(dir string, profiles *Profiles, roles []recipes.Role) error {
	builtin, err := profile.BuiltinFiles()
	if err != nil {
		return err
	}
	files := map[string][]byte{}
	for name, data := range builtin {
		if name == profile.BuiltinGraphFile {
			files["graph/palletizer.xml"] = data
			continue
		}
		files["nodes/"+name] = data
	}
	site := append([]profile.NodeFile{}, profiles.nodes...)
	for _, role := range roles {
		site = append(site, profiles.roles[role.Name]...)
		files["graph/"+role.Name+".xml"] = roleGraph(role)
	}
	for _, n := range site {
		files["nodes/"+filepath.Base(n.Path)] = n.Data
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// roleGraph is the graph file that roots a role (Stacki's appliance) at base and its components.
func roleGraph(role recipes.Role) []byte {
	var b bytes.Buffer
	b.WriteString("<?xml version=\"1.0\" standalone=\"no\"?>\n<graph>\n")
	b.WriteString("\t<description>role " + xmlText(role.Name) + ", written by palletizer</description>\n")
	for _, to := range append([]string{"base"}, role.Components...) {
		fmt.Fprintf(&b, "\t<edge from=%q to=%q/>\n", role.Name, to)
	}
	b.WriteString("</graph>\n")
	return b.Bytes()
}

func xmlText(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
