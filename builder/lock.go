package builder

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/recipes"
)

// LockFileName is written beside the recipe.
const LockFileName = "palletizer.lock.hcl"

// Lock pins everything a build fetches: every selected package by sha256, every image by
// digest, and the time artifacts are stamped with when SOURCE_DATE_EPOCH is not set.
type Lock struct {
	Time     int64 // unix seconds
	Packages []mirrors.Locked
	Images   []LockedImage
}

// LockedImage pins one image of the recipe.
type LockedImage struct {
	Name   string
	Source string
	Digest string
}

// LockPath is where a recipe's lock file lives.
func LockPath(r *recipes.Recipe) string { return filepath.Join(r.Dir, LockFileName) }

// Marshal writes the lock file: one repository block of package blocks, one image block each.
func (l *Lock) Marshal() []byte {
	f := hclwrite.NewEmptyFile()
	body := f.Body()
	body.AppendUnstructuredTokens(hclwrite.Tokens{{Type: 0, Bytes: []byte("# Written by `palletizer lock`; do not edit. Commit it with the recipe.\n")}})
	body.SetAttributeValue("time", cty.NumberIntVal(l.Time))
	byRepo := map[string][]mirrors.Locked{}
	var repos []string
	for _, p := range l.Packages {
		if _, ok := byRepo[p.Repo]; !ok {
			repos = append(repos, p.Repo)
		}
		byRepo[p.Repo] = append(byRepo[p.Repo], p)
	}
	sort.Strings(repos)
	for _, repo := range repos {
		body.AppendNewline()
		rb := body.AppendNewBlock("repository", []string{repo}).Body()
		for i, p := range byRepo[repo] {
			if i > 0 {
				rb.AppendNewline()
			}
			pb := rb.AppendNewBlock("package", []string{p.NEVRA()}).Body()
			pb.SetAttributeValue("name", cty.StringVal(p.Name))
			pb.SetAttributeValue("epoch", cty.StringVal(p.Epoch))
			pb.SetAttributeValue("version", cty.StringVal(p.Version))
			pb.SetAttributeValue("release", cty.StringVal(p.Release))
			pb.SetAttributeValue("arch", cty.StringVal(p.Arch))
			pb.SetAttributeValue("location", cty.StringVal(p.Location))
			pb.SetAttributeValue("size", cty.NumberIntVal(p.Size))
			pb.SetAttributeValue("sha256", cty.StringVal(p.SHA256))
		}
	}
	for _, img := range l.Images {
		body.AppendNewline()
		ib := body.AppendNewBlock("image", []string{img.Name}).Body()
		ib.SetAttributeValue("source", cty.StringVal(img.Source))
		ib.SetAttributeValue("digest", cty.StringVal(img.Digest))
	}
	return hclwrite.Format(f.Bytes())
}

type lockFile struct {
	Time   int64           `hcl:"time"`
	Repos  []lockRepoBlock `hcl:"repository,block"`
	Images []lockImage     `hcl:"image,block"`
}

type lockRepoBlock struct {
	Name     string        `hcl:"name,label"`
	Packages []lockPackage `hcl:"package,block"`
}

type lockPackage struct {
	NEVRA    string `hcl:"nevra,label"`
	Name     string `hcl:"name"`
	Epoch    string `hcl:"epoch"`
	Version  string `hcl:"version"`
	Release  string `hcl:"release"`
	Arch     string `hcl:"arch"`
	Location string `hcl:"location"`
	Size     int64  `hcl:"size"`
	SHA256   string `hcl:"sha256"`
}

type lockImage struct {
	Name   string `hcl:"name,label"`
	Source string `hcl:"source"`
	Digest string `hcl:"digest"`
}

// ReadLock reads a lock file. A missing file gives os.ErrNotExist.
func ReadLock(path string) (*Lock, hcl.Diagnostics) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read lock file",
			Detail: fmt.Sprintf("%v; run `palletizer lock RECIPE` to write it.", err)}}
	}
	f, diags := hclparse.NewParser().ParseHCL(src, path)
	if diags.HasErrors() {
		return nil, diags
	}
	var raw lockFile
	if diags := gohcl.DecodeBody(f.Body, nil, &raw); diags.HasErrors() {
		return nil, diags
	}
	l := &Lock{Time: raw.Time}
	for _, r := range raw.Repos {
		for _, p := range r.Packages {
			l.Packages = append(l.Packages, mirrors.Locked{Repo: r.Name, Name: p.Name, Epoch: p.Epoch, Version: p.Version,
				Release: p.Release, Arch: p.Arch, Location: p.Location, Size: p.Size, SHA256: p.SHA256})
		}
	}
	for _, img := range raw.Images {
		l.Images = append(l.Images, LockedImage{Name: img.Name, Source: img.Source, Digest: img.Digest})
	}
	return l, nil
}

// buildTime is the fixed time of every artifact: SOURCE_DATE_EPOCH, else the lock's time, else
// the Unix epoch (so unlocked builds are still reproducible).
func buildTime(l *Lock) (time.Time, error) {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q is not a number of seconds", s)
		}
		return time.Unix(n, 0).UTC(), nil
	}
	if l != nil && l.Time > 0 {
		return time.Unix(l.Time, 0).UTC(), nil
	}
	return time.Unix(0, 0).UTC(), nil
}

// Resolve selects and fetches what the recipe asks for now and returns the pins.
func Resolve(ctx context.Context, r *recipes.Recipe, opts BuildOptions) (*Lock, error) {
	l := &Lock{Time: time.Now().Unix()}
	if old, diags := ReadLock(LockPath(r)); !diags.HasErrors() && old.Time > 0 {
		l.Time = old.Time // keep the stamp while the recipe's artifacts stay the same
	}
	if len(r.Repositories) > 0 {
		m, err := Mirror(ctx, r, nil, opts)
		if err != nil {
			return nil, err
		}
		if l.Packages, err = mirrors.Lock(m.Selection.Packages); err != nil {
			return nil, err
		}
	}
	imgs, err := resolveImages(ctx, r)
	if err != nil {
		return nil, err
	}
	l.Images = imgs
	return l, nil
}

// WriteLock writes the lock file atomically.
func WriteLock(path string, l *Lock) error {
	data := l.Marshal()
	return writeAtomic(path, 0o644, func(w io.Writer) error { _, err := w.Write(data); return err })
}
