package builder

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/palletizer/palletizer/images"
	"github.com/palletizer/palletizer/recipes"
)

// bundleDir is where a build keeps the OCI image layout bundle.
const bundleDir = "images"

// imageList turns the recipe's images into the images package's, with locked digests.
func imageList(r *recipes.Recipe, lock *Lock) ([]images.Image, error) {
	pins := map[string]string{}
	if lock != nil {
		for _, l := range lock.Images {
			pins[l.Name] = l.Digest
		}
	}
	var out []images.Image
	for _, img := range r.Images {
		im := images.Image{Name: img.Name, Source: img.Source, Target: img.Target, Platforms: img.Platforms}
		if lock != nil {
			d, ok := pins[img.Name]
			if !ok {
				return nil, fmt.Errorf("image %q is not in %s; run `palletizer lock` again", img.Name, LockFileName)
			}
			im.Digest = d
		}
		out = append(out, im)
	}
	return out, nil
}

// pullImages pulls every image into out/images and returns, per image name, the reference the
// nodes run: the target repository by digest.
func pullImages(ctx context.Context, r *recipes.Recipe, lock *Lock, tree *outTree, m *Manifest, progress func(Event)) (map[string]string, error) {
	if len(r.Images) == 0 {
		return nil, nil
	}
	imgs, err := imageList(r, lock)
	if err != nil {
		return nil, err
	}
	dir, err := tree.path(bundleDir)
	if err != nil {
		return nil, err
	}
	pulled, err := images.Pull(ctx, dir, imgs, images.WithProgress(func(u images.Update) {
		progress(Event{Step: "images", Message: u.Image + " " + u.Phase, Done: u.Complete, Total: u.Total})
	}))
	if err != nil {
		return nil, err
	}
	refs := map[string]string{}
	m.Images = map[string]string{}
	for _, p := range pulled {
		ref, err := byDigest(p.Target, p.Digest)
		if err != nil {
			return nil, err
		}
		refs[p.Name] = ref
		m.Images[p.Name] = p.Digest
	}
	if err := recordTree(tree, bundleDir, "image-bundle"); err != nil {
		return nil, err
	}
	return refs, nil
}

// byDigest gives target's repository pinned to digest, what a node pulls so that a moved tag
// cannot change what runs.
func byDigest(target, digest string) (string, error) {
	ref, err := name.ParseReference(target)
	if err != nil {
		return "", fmt.Errorf("image target %q: %w", target, err)
	}
	return ref.Context().Name() + "@" + digest, nil
}

// resolveImages pins every image's current source digest.
func resolveImages(ctx context.Context, r *recipes.Recipe) ([]LockedImage, error) {
	var out []LockedImage
	for _, img := range r.Images {
		d, err := images.Resolve(ctx, img.Source)
		if err != nil {
			return nil, fmt.Errorf("image %q: %w", img.Name, err)
		}
		out = append(out, LockedImage{Name: img.Name, Source: img.Source, Digest: d})
	}
	return out, nil
}

// PushOptions say where and how to push a bundle.
type PushOptions struct {
	Bundle     string // the OCI layout bundle; default out/images
	Registry   string // replaces every target's registry host when set
	OnExisting string // skip, overwrite or error
	Progress   func(Event)
}

// Push pushes a build's image bundle to the targets of the recipe's images.
func Push(ctx context.Context, r *recipes.Recipe, opts PushOptions) ([]images.Pushed, error) {
	if opts.Bundle == "" {
		opts.Bundle = "out/" + bundleDir
	}
	if opts.Progress == nil {
		opts.Progress = func(Event) {}
	}
	var o []images.Option
	if opts.Registry != "" {
		o = append(o, images.WithRegistry(strings.TrimSuffix(opts.Registry, "/")))
	}
	if opts.OnExisting != "" {
		oe, err := images.ParseOnExisting(opts.OnExisting)
		if err != nil {
			return nil, err
		}
		o = append(o, images.WithOnExisting(oe))
	}
	o = append(o, images.WithProgress(func(u images.Update) {
		opts.Progress(Event{Step: "push", Message: u.Image + " " + u.Phase, Done: u.Complete, Total: u.Total})
	}))
	// Push what the recipe names now, by the lock's digests when there is a lock.
	var lock *Lock
	if _, err := os.Stat(LockPath(r)); err == nil {
		l, diags := ReadLock(LockPath(r))
		if diags.HasErrors() {
			return nil, fmt.Errorf("reading lock file %s: %s", LockPath(r), diags.Error())
		}
		lock = l
	}
	imgs, err := imageList(r, lock)
	if err != nil {
		return nil, err
	}
	return images.Push(ctx, opts.Bundle, imgs, o...)
}
