package mirrors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// verifyRepomd checks repomd.xml.asc, an armored detached signature over repomd.xml's bytes,
// against the repository's key ring.
func verifyRepomd(ctx context.Context, o Options, repo Repo, repomdURL string, raw []byte) error {
	if len(repo.GPGKey) == 0 {
		return fmt.Errorf("repository %q has gpgcheck on but no gpgkey; add the key that signs repomd.xml", repo.Name)
	}
	keys, err := openpgp.ReadArmoredKeyRing(bytes.NewReader(repo.GPGKey))
	if err != nil {
		return fmt.Errorf("repository %q: reading gpgkey (want an armored public key): %w", repo.Name, err)
	}
	sig, err := readURL(ctx, o, repomdURL+".asc", 1<<20)
	if err != nil {
		var se *statusError
		if errors.As(err, &se) && se.Code == http.StatusNotFound || errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("repository %q: %s.asc: %w (turn gpgcheck off only if the repository is unsigned)", repo.Name, repomdURL, ErrSignatureMissing)
		}
		return fmt.Errorf("repository %q: reading %s.asc: %w", repo.Name, repomdURL, err)
	}
	if _, err := openpgp.CheckArmoredDetachedSignature(keys, bytes.NewReader(raw), bytes.NewReader(sig), nil); err != nil {
		return fmt.Errorf("repository %q: %s.asc: %w: %v", repo.Name, repomdURL, ErrBadSignature, err)
	}
	return nil
}
