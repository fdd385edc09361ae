package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/palletizer/palletizer/iso"
	"github.com/palletizer/palletizer/kickstart"
	"github.com/palletizer/palletizer/recipes"
)

// discRepos is the repositories directory on the installer medium as anaconda mounts it
// (/mnt/source on EL6, /run/install/repo from EL7), so kickstarts on the disc install the
// role's packages from the repositories written beside them.
func discRepos(os recipes.OS) string {
	if os.Major() == "6" {
		return "file:///mnt/source/repos"
	}
	return "file:///run/install/repo/repos"
}

// writeInstallers remasters each installer output's base ISO for its role: /ks.cfg installs the
// role's first host, /ks/<host>.ks every host of the role (chosen at the boot prompt with
// inst.ks=hd:LABEL=<label>:/ks/<host>.ks), and /repos holds the recipe's repositories.
func writeInstallers(ctx context.Context, r *recipes.Recipe, profiles *Profiles, tree *outTree, epoch time.Time, progress func(Event)) error {
	for _, o := range r.Outputs.Installers {
		if err := writeInstaller(ctx, r, profiles, o, tree, epoch, progress); err != nil {
			return fmt.Errorf("installer for role %q (%s): %w", o.Role, o.Range, err)
		}
	}
	return nil
}

func writeInstaller(ctx context.Context, r *recipes.Recipe, profiles *Profiles, o recipes.InstallerOutput, tree *outTree, epoch time.Time, progress func(Event)) error {
	sum, _, err := fileSHA256(o.BaseISO)
	if err != nil {
		return fmt.Errorf("base_iso: %w; give the path of a CentOS or Rocky boot or DVD ISO", err)
	}
	if o.BaseSHA256 != "" && !strings.EqualFold(o.BaseSHA256, sum) {
		return fmt.Errorf("base_iso %s has sha256 %s, but the recipe pins %s; use the pinned image or update base_sha256", o.BaseISO, sum, o.BaseSHA256)
	}
	work, err := tree.path(".work")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(work, "installer-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	opts := KickstartOptions(r)
	opts.InstallFrom, opts.MirrorURL = "cdrom", discRepos(r.Cluster.OS)
	var first []byte
	var inputs []string
	secret := false
	for _, h := range r.Hosts {
		if h.Role != o.Role {
			continue
		}
		p, err := profiles.Host(h.Name)
		if err != nil {
			return err
		}
		ks, err := kickstart.Render(p, opts)
		if err != nil {
			return err
		}
		if first == nil {
			first = ks
		}
		secret = secret || carriesSecrets(p)
		if err := os.MkdirAll(filepath.Join(stage, "ks"), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(stage, "ks", h.Name+".ks"), ks, 0o600); err != nil {
			return err
		}
		inputs = append(inputs, "host:"+h.Name)
	}
	if first == nil {
		return fmt.Errorf("role %q has no hosts", o.Role)
	}
	extra := map[string]string{"ks": filepath.Join(stage, "ks")}
	if repos, err := tree.path("repos"); err == nil {
		if _, err := os.Stat(repos); err == nil {
			extra["repos"] = repos
		}
	}
	name := fmt.Sprintf("%s-%s-%s.%s.iso", r.Cluster.Name, o.Role, r.Cluster.Version, r.Cluster.Arch)
	progress(Event{Step: "installer", Message: name})
	tmp, err := tree.path(".work/" + name)
	if err != nil {
		return err
	}
	label := installerLabel(r, o.Role)
	ksPath := filepath.Join(stage, "ks.cfg")
	if err := os.WriteFile(ksPath, first, 0o600); err != nil {
		return err
	}
	err = iso.Remaster(ctx, o.BaseISO, tmp, iso.RemasterOptions{VolumeLabel: label, Kickstart: ksPath, Extra: extra, ModTime: epoch, Workspace: work})
	if err != nil {
		return err
	}
	rel := "installers/" + name
	out, err := tree.path(rel)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := replaceIfChanged(tmp, out, tree); err != nil {
		return err
	}
	if secret { // the kickstarts on the disc carry the root password hash
		if err := os.Chmod(out, 0o600); err != nil {
			return err
		}
	}
	return tree.record(rel, "installer", append([]string{"base:" + sum, "role:" + o.Role}, inputs...)...)
}

// installerLabel names the disc the boot menus look for: the cluster and role, within ISO
// 9660's 32 characters.
func installerLabel(r *recipes.Recipe, role string) string {
	l := strings.ToUpper(r.Cluster.Name + "-" + role)
	if len(l) > iso.MaxLabelLength {
		l = l[:iso.MaxLabelLength]
	}
	return l
}
