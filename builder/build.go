package builder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/palletizer/palletizer/cloudinit"
	"github.com/palletizer/palletizer/kickstart"
	"github.com/palletizer/palletizer/profile"
	"github.com/palletizer/palletizer/recipes"
)

// BuildOptions say where a build writes and how it reports. The zero value writes to out/ and
// keeps the package store in out/.store.
type BuildOptions struct {
	Out   string // output directory; default "out"
	Store string // content-addressed download store shared between runs; default <Out>/.store
	// Locked builds exactly what palletizer.lock.hcl pins and fails on any drift.
	Locked bool
	// ToolVersion is recorded in the manifest.
	ToolVersion string
	// Progress receives events of long steps; nil discards them.
	Progress func(Event)
	Logger   *slog.Logger
}

// Event is a progress report of a long step.
type Event struct {
	Step    string // "mirror", "pallet", "installer", "images"
	Message string
	Done    int64 // bytes or items done
	Total   int64 // 0 when unknown
}

func (o *BuildOptions) defaults() {
	if o.Out == "" {
		o.Out = "out"
	}
	if o.Store == "" {
		o.Store = o.Out + string(os.PathSeparator) + ".store"
	}
	if o.Progress == nil {
		o.Progress = func(Event) {}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// BuildResult is what a build made.
type BuildResult struct {
	Manifest *Manifest
	// Rewritten counts the files the build had to write; 0 means the tree was already current.
	Rewritten int
}

// Build writes every output of the recipe under opts.Out.
func Build(ctx context.Context, r *recipes.Recipe, opts BuildOptions) (*BuildResult, error) {
	opts.defaults()
	src, err := os.ReadFile(r.Path)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(src)
	m := &Manifest{
		Tool: "palletizer " + opts.ToolVersion, Cluster: r.Cluster.Name, Version: r.Cluster.Version,
		Recipe: filepath.Base(r.Path), RecipeSHA256: hex.EncodeToString(sum[:]),
	}
	var lock *Lock
	if opts.Locked {
		l, diags := ReadLock(LockPath(r))
		if diags.HasErrors() {
			return nil, fmt.Errorf("reading lock file %s: %s", LockPath(r), diags.Error())
		}
		lock = l
		if b, err := os.ReadFile(LockPath(r)); err == nil {
			ls := sha256.Sum256(b)
			m.LockSHA256 = hex.EncodeToString(ls[:])
		}
	}
	epoch, err := buildTime(lock)
	if err != nil {
		return nil, err
	}
	tree := &outTree{root: opts.Out}
	refs, err := pullImages(ctx, r, lock, tree, m, opts.Progress)
	if err != nil {
		return nil, err
	}
	profiles, err := NewProfiles(r, refs)
	if err != nil {
		return nil, err
	}
	if err := writeHostFiles(ctx, r, profiles, tree); err != nil {
		return nil, err
	}
	if len(r.Repositories) > 0 {
		mirrored, err := Mirror(ctx, r, lock, opts)
		if err != nil {
			return nil, err
		}
		if err := publishRepos(ctx, mirrored, tree, epoch.Unix()); err != nil {
			return nil, err
		}
		roles, err := rolePackages(r, profiles, mirrored)
		if err != nil {
			return nil, err
		}
		if err := writePallets(ctx, r, profiles, mirrored, roles, tree, epoch, opts.Progress); err != nil {
			return nil, err
		}
	}
	if err := writeInstallers(ctx, r, profiles, tree, epoch, opts.Progress); err != nil {
		return nil, err
	}
	if err := tree.finish(m); err != nil {
		return nil, err
	}
	return &BuildResult{Manifest: m, Rewritten: tree.written}, nil
}

// writeHostFiles writes each host's kickstart and cloud-init files. Files that carry the root
// password hash are written 0600.
func writeHostFiles(ctx context.Context, r *recipes.Recipe, profiles *Profiles, tree *outTree) error {
	if r.Outputs.Kickstart == nil && r.Outputs.CloudInit == nil {
		return nil
	}
	ksOpts, ciOpts := KickstartOptions(r), CloudInitOptions(r)
	for _, h := range r.Hosts {
		if err := ctx.Err(); err != nil {
			return err
		}
		p, err := profiles.Host(h.Name)
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if carriesSecrets(p) {
			mode = 0o600
		}
		inputs := []string{"host:" + h.Name, "role:" + h.Role}
		if r.Outputs.Kickstart != nil {
			ks, err := kickstart.Render(p, ksOpts)
			if err != nil {
				return fmt.Errorf("kickstart of %s: %w", h.Name, err)
			}
			if err := tree.write("kickstart/"+h.Name+".ks", ks, mode, "kickstart", inputs...); err != nil {
				return err
			}
		}
		if r.Outputs.CloudInit != nil {
			doc, err := cloudinit.Render(p, ciOpts)
			if err != nil {
				return fmt.Errorf("cloud-config of %s: %w", h.Name, err)
			}
			ud, err := cloudinit.UserData(p, ciOpts)
			if err != nil {
				return fmt.Errorf("user-data of %s: %w", h.Name, err)
			}
			if err := tree.write("cloud-init/"+h.Name+".yaml", doc, mode, "cloud-config", inputs...); err != nil {
				return err
			}
			if err := tree.write("cloud-init/"+h.Name+".user-data", ud.Data, mode, "user-data", inputs...); err != nil {
				return err
			}
		}
	}
	return nil
}

// carriesSecrets reports whether a host's rendered files hold a secret: the root password hash,
// or an attribute named like a password, secret or token (keepalived.password).
func carriesSecrets(p *profile.Profile) bool {
	if p.Native.RootPasswordHash != "" {
		return true
	}
	for name, a := range p.Attributes {
		if a.Value != "" && secretName(name) {
			return true
		}
	}
	return false
}

func secretName(name string) bool {
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "secret") || strings.Contains(n, "token")
}
