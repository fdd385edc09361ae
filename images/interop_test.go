package images

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os/exec"
	"testing"

	"github.com/palletizer/palletizer/images/imagestest"
	"github.com/palletizer/palletizer/internal/testutil"
)

// TestPushToDockerRegistryReadBySkopeo pushes a bundle to the real distribution registry and
// reads every image back with the real skopeo: the manifest bytes it gets must hash to the
// bundle's digest, and skopeo must also read the bundle itself as an OCI layout.
func TestPushToDockerRegistryReadBySkopeo(t *testing.T) {
	skopeo := testutil.RequireTool(t, "skopeo")
	reg := imagestest.StartDockerRegistryT(t)
	dir, pulled := bundle(t, "site.test:5000")
	ctx := context.Background()

	res, err := Push(ctx, dir, nil, WithRegistry(reg.Host))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Pulled{}
	for _, p := range pulled {
		want[p.Name] = p
	}
	for _, p := range res {
		raw, err := exec.Command(skopeo, "inspect", "--raw", "--tls-verify=false", "docker://"+p.Target).Output()
		if err != nil {
			t.Fatalf("skopeo inspect --raw %s: %v", p.Target, stderrOf(err))
		}
		sum := sha256.Sum256(raw)
		if got := "sha256:" + hex.EncodeToString(sum[:]); got != want[p.Name].Digest {
			t.Errorf("%s: registry serves manifest %s, bundle holds %s", p.Name, got, want[p.Name].Digest)
		}
		out, err := exec.Command(skopeo, "inspect", "--tls-verify=false", "--override-arch", "amd64", "--override-os", "linux", "docker://"+p.Target).Output()
		if err != nil {
			t.Fatalf("skopeo inspect %s: %v", p.Target, stderrOf(err))
		}
		var info struct{ Digest, Architecture string }
		if err := json.Unmarshal(out, &info); err != nil {
			t.Fatal(err)
		}
		if info.Architecture != "amd64" {
			t.Errorf("%s: skopeo sees architecture %q", p.Name, info.Architecture)
		}
		if info.Digest != want[p.Name].Digest {
			t.Errorf("%s: skopeo reports digest %s, bundle holds %s", p.Name, info.Digest, want[p.Name].Digest)
		}
		// The bundle itself is a layout skopeo reads by image name.
		if out, err := exec.Command(skopeo, "inspect", "--raw", "oci:"+dir+":"+p.Name).Output(); err != nil {
			t.Errorf("skopeo cannot read the bundle's %s: %v", p.Name, stderrOf(err))
		} else if sum := sha256.Sum256(out); "sha256:"+hex.EncodeToString(sum[:]) != want[p.Name].Digest {
			t.Errorf("skopeo reads another manifest for %s from the bundle", p.Name)
		}
	}

	// Everything exists now: a second push changes nothing.
	res, err = Push(ctx, dir, nil, WithRegistry(reg.Host))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res {
		if p.Action != "unchanged" {
			t.Errorf("%s: second push did %s", p.Name, p.Action)
		}
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return err.Error() + ": " + string(ee.Stderr)
	}
	return err.Error()
}
