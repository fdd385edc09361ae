package mirrortest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/palletizer/palletizer/mirrors"
)

// Repository describes a fixture upstream repository.
type Repository struct {
	Packages []RPM
	// PackageDir is where the RPMs go ("Packages" when empty).
	PackageDir string
	// Compression of the metadata: "gz" (default), "xz", "bz2", "zst".
	Compression string
	// Key, when set, signs repodata/repomd.xml into repomd.xml.asc.
	Key *Key
	// Time fixes metadata timestamps (unix seconds); zero uses the newest build time.
	Time int64
}

// Write builds every package into dir/PackageDir and writes repodata/ with palletizer's own
// metadata writer (mirrors.ScanDir + mirrors.Publish in place).
func (r Repository) Write(dir string) error {
	pkgDir := r.PackageDir
	if pkgDir == "" {
		pkgDir = "Packages"
	}
	for _, p := range r.Packages {
		if _, err := p.WriteFile(filepath.Join(dir, pkgDir)); err != nil {
			return err
		}
	}
	ctx := context.Background()
	pkgs, err := mirrors.ScanDir(ctx, dir)
	if err != nil {
		return err
	}
	err = mirrors.Publish(ctx, dir, pkgs, nil, mirrors.PublishOptions{PackageDir: pkgDir, Compression: r.Compression, Time: r.Time})
	if err != nil {
		return err
	}
	if r.Key != nil {
		return r.Key.SignRepomd(dir)
	}
	return nil
}

// SignRepomd writes dir/repodata/repomd.xml.asc, an armored detached signature.
func (k *Key) SignRepomd(dir string) error {
	md := filepath.Join(dir, "repodata", "repomd.xml")
	raw, err := os.ReadFile(md)
	if err != nil {
		return err
	}
	sig, err := k.Sign(raw)
	if err != nil {
		return fmt.Errorf("signing %s: %w", md, err)
	}
	return os.WriteFile(md+".asc", sig, 0o644)
}
