package imagestest

import (
	"context"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
)

func TestImageIsDeterministicAndValid(t *testing.T) {
	spec := ImageSpec{Seed: 7, LayerSizes: []int64{1000, 70000}}
	a, err := Image(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Image(spec)
	if err != nil {
		t.Fatal(err)
	}
	da, _ := a.Digest()
	db, _ := b.Digest()
	if da != db {
		t.Fatalf("same seed gave %s and %s", da, db)
	}
	// Validate what a registry serves back: the generated image itself carries empty
	// annotation maps that compare unequal to its own serialization.
	reg := NewRegistry()
	defer reg.Close()
	ref, _ := name.ParseReference(reg.Host + "/t/image:1")
	if err := remote.Write(ref, a); err != nil {
		t.Fatal(err)
	}
	back, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(back); err != nil {
		t.Fatal(err)
	}
	spec.Seed = 8
	c, _ := Image(spec)
	if dc, _ := c.Digest(); dc == da {
		t.Fatal("another seed gave the same digest")
	}
}

func TestPushIndigo(t *testing.T) {
	reg := NewRegistry()
	defer reg.Close()
	pushed, err := PushIndigo(context.Background(), reg.Host, 1, 2048, 4096)
	if err != nil {
		t.Fatal(err)
	}
	if len(pushed) != 10 {
		t.Fatalf("pushed %d tags, want 10", len(pushed))
	}
	for _, p := range pushed {
		ref, _ := name.ParseReference(p.Ref)
		d, err := remote.Head(ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest.String() != p.Digest {
			t.Errorf("%s: registry has %s, pushed %s", p.Ref, d.Digest, p.Digest)
		}
		if multi := len(p.Component.Platforms) > 1; multi != d.MediaType.IsIndex() {
			t.Errorf("%s: media type %s", p.Ref, d.MediaType)
		}
	}
}

func TestDockerRegistry(t *testing.T) {
	r := StartDockerRegistryT(t)
	if _, err := PushIndigo(context.Background(), r.Host, 2, 1024, 1024); err != nil {
		t.Fatal(err)
	}
}
