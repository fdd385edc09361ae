package images

import (
	"context"
	"os"
	"strings"
	"testing"
)

func TestOpenBundleAndVerify(t *testing.T) {
	dir, pulled := bundle(t, "site.test:5000")
	b, err := OpenBundle(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Entries) != len(pulled) {
		t.Fatalf("bundle lists %d images, pulled %d", len(b.Entries), len(pulled))
	}
	byName := map[string]Pulled{}
	for _, p := range pulled {
		byName[p.Name] = p
	}
	for _, e := range b.Entries {
		p := byName[e.Name]
		if e.Digest != p.Digest || e.SourceDigest != p.SourceDigest || e.Target != p.Target || e.Size != p.Size {
			t.Errorf("%s: bundle says %+v, pull said %+v", e.Name, e, p)
		}
	}
	if got := strings.Join(entryPlatforms(b, "mesos-master"), ","); got != "linux/amd64,linux/arm64/v8" {
		t.Errorf("mesos-master platforms %q", got)
	}
	if got := strings.Join(entryPlatforms(b, "marathon"), ","); got != "linux/amd64" {
		t.Errorf("marathon platforms %q", got)
	}
	if err := b.Verify(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Flip one byte of a layer: Verify must name the image holding it.
	var victim Entry
	for _, e := range b.Entries {
		if e.Name == "chronos" {
			victim = e
		}
	}
	last := victim.blobs[len(victim.blobs)-1]
	p := blobPath(dir, last.digest)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = b.Verify(context.Background())
	if err == nil || !strings.Contains(err.Error(), "corrupt") || !strings.Contains(err.Error(), last.digest.Hex) {
		t.Errorf("corrupt blob: %v", err)
	}
	if _, err := OpenBundle(t.TempDir()); err == nil {
		t.Error("an empty directory opened as a bundle")
	}
}

func entryPlatforms(b *Bundle, name string) []string {
	for _, e := range b.Entries {
		if e.Name == name {
			return e.Platforms
		}
	}
	return nil
}
