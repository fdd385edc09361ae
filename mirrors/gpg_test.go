package mirrors_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/palletizer/palletizer/mirrors"
	"github.com/palletizer/palletizer/mirrors/mirrortest"
)

func TestRepomdSignature(t *testing.T) {
	key, err := mirrortest.NewKey("Mesosphere Test Signing Key")
	if err != nil {
		t.Fatal(err)
	}
	other, err := mirrortest.NewKey("Someone Else")
	if err != nil {
		t.Fatal(err)
	}
	repo := mirrortest.Mesosphere()
	repo.Key = key
	dir, srv := upstream(t, repo)
	open := func(pub []byte, check bool) error {
		_, err := mirrors.Open(context.Background(), mirrors.Repo{Name: "mesosphere", BaseURL: srv.Root(),
			GPGKey: pub, GPGCheck: check}, fastOpts())
		return err
	}
	if err := open(key.PublicKey(), true); err != nil {
		t.Errorf("good signature: %v", err)
	}
	if err := open(other.PublicKey(), true); !errors.Is(err, mirrors.ErrBadSignature) {
		t.Errorf("wrong key: err = %v, want ErrBadSignature", err)
	}
	if err := open(nil, true); err == nil {
		t.Error("gpgcheck without a key must fail")
	}
	// repomd.xml changed after signing: the signature no longer verifies.
	md := filepath.Join(dir, "repodata", "repomd.xml")
	raw, _ := os.ReadFile(md)
	os.WriteFile(md, append(raw, ' '), 0o644)
	if err := open(key.PublicKey(), true); !errors.Is(err, mirrors.ErrBadSignature) {
		t.Errorf("modified repomd.xml: err = %v, want ErrBadSignature", err)
	}
	os.WriteFile(md, raw, 0o644)
	os.Remove(md + ".asc")
	if err := open(key.PublicKey(), true); !errors.Is(err, mirrors.ErrSignatureMissing) {
		t.Errorf("missing signature: err = %v, want ErrSignatureMissing", err)
	}
	if err := open(nil, false); err != nil {
		t.Errorf("gpgcheck off: %v", err)
	}
}
