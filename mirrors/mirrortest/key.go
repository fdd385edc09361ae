package mirrortest

import (
	"bytes"
	"crypto"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Key is a throw-away OpenPGP signing key generated at run time (never stored), standing in
// for a repository's RPM-GPG-KEY in tests and demos.
type Key struct {
	entity *openpgp.Entity
}

var keyTime = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// NewKey generates an Ed25519 key named like a repository signing key.
func NewKey(name string) (*Key, error) {
	cfg := &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA, DefaultHash: crypto.SHA256,
		Time: func() time.Time { return keyTime }}
	e, err := openpgp.NewEntity(name, "TEST KEY, NOT FOR PRODUCTION", "test@fixtures.invalid", cfg)
	if err != nil {
		return nil, err
	}
	return &Key{entity: e}, nil
}

// PublicKey is the armored public key, what a recipe's gpgkey holds.
func (k *Key) PublicKey() []byte {
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
	k.entity.Serialize(w)
	w.Close()
	return b.Bytes()
}

// Sign returns an armored detached signature of data.
func (k *Key) Sign(data []byte) ([]byte, error) {
	var b bytes.Buffer
	cfg := &packet.Config{DefaultHash: crypto.SHA256, Time: func() time.Time { return keyTime }}
	if err := openpgp.ArmoredDetachSign(&b, k.entity, bytes.NewReader(data), cfg); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
