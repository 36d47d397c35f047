package runbook

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// Sealer encrypts undo payloads before they reach the disk and decrypts
// them when a rollback reads them back. Undo payloads hold the objects a
// rollback restores, Secrets included; sealed, a copied journal directory
// gives nothing away without the key.
type Sealer interface {
	Seal(plain []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// WithSealer seals every undo payload the journal's store writes.
func WithSealer(s Sealer) JournalOption {
	return func(j *Journal) { j.sealer = s }
}

// aesSealer is AES-256-GCM with a random nonce in front of each payload.
type aesSealer struct{ aead cipher.AEAD }

// NewAESSealer seals with a 32-byte key.
func NewAESSealer(key []byte) (Sealer, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("undo key: %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return aesSealer{aead: aead}, nil
}

func (s aesSealer) Seal(plain []byte) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, plain, nil), nil
}

func (s aesSealer) Open(sealed []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("undo payload too short to be sealed")
	}
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, fmt.Errorf("unseal undo payload: %w (another key sealed it)", err)
	}
	return plain, nil
}
