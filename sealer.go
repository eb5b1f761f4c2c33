package turkmail

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"strings"
)

// Sealer protects stored access-key secrets. The server must be able to recompute SigV4
// signatures, so secrets cannot be hashed; with a key (TURKMAIL_SECRET_KEY) they are sealed
// with AES-256-GCM, without one they are stored as they are and marked so.
type Sealer struct {
	aead cipher.AEAD // nil: no key configured
	rand io.Reader
}

const (
	plainPrefix  = "plain:"
	sealedPrefix = "sealed1:"
)

// NewSealer derives an AES-256 key from key (any length; SHA-256 of it). Empty key: no sealing.
func NewSealer(key []byte, random io.Reader) (*Sealer, error) {
	if len(key) == 0 {
		return &Sealer{rand: random}, nil
	}
	sum := sha256.Sum256(key)
	block, err := aes.NewCipher(sum[:])
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead, rand: random}, nil
}

// Seal returns the stored form of secret.
func (s *Sealer) Seal(secret string) (string, error) {
	if s.aead == nil {
		return plainPrefix + secret, nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), nil)
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open returns the secret of a stored form.
func (s *Sealer) Open(stored string) (string, error) {
	if secret, ok := strings.CutPrefix(stored, plainPrefix); ok {
		return secret, nil
	}
	enc, ok := strings.CutPrefix(stored, sealedPrefix)
	if !ok {
		return "", errors.New("stored secret has an unknown format")
	}
	if s.aead == nil {
		return "", errors.New("stored secret is sealed but TURKMAIL_SECRET_KEY is not set")
	}
	raw, err := base64.RawStdEncoding.DecodeString(enc)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", errors.New("stored secret is corrupt")
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", errors.New("stored secret cannot be opened with TURKMAIL_SECRET_KEY")
	}
	return string(plain), nil
}
