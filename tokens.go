package turkmail

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"sync"
)

// tokenKeys holds the per-deployment HMAC keys, loaded once from the Store.
type tokenKeys struct {
	mu   sync.Mutex
	keys map[string][]byte
}

// errBadToken: the token was not made by this deployment for this purpose, or was altered.
var errBadToken = errors.New("token is not valid")

func (s *Service) tokenKey(ctx context.Context, purpose string) ([]byte, error) {
	s.tokens.mu.Lock()
	defer s.tokens.mu.Unlock()
	if k, ok := s.tokens.keys[purpose]; ok {
		return k, nil
	}
	v, err := s.store.ServerKey(ctx, "hmac:"+purpose, s.ids.secret()+s.ids.secret())
	if err != nil {
		return nil, err
	}
	if s.tokens.keys == nil {
		s.tokens.keys = map[string][]byte{}
	}
	s.tokens.keys[purpose] = []byte(v)
	return []byte(v), nil
}

// SignToken returns payload and its HMAC for purpose, URL-safe, so that a client can hold
// it (a NextToken, an unsubscribe link) and give it back unaltered.
func (s *Service) SignToken(ctx context.Context, purpose string, payload []byte) (string, error) {
	key, err := s.tokenKey(ctx, purpose)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	out := append(m.Sum(nil)[:16], payload...)
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// OpenToken returns the payload of a token made by SignToken for purpose; errBadToken (an
// internal sentinel; callers turn it into a RequestError) if it was not, or was altered.
func (s *Service) OpenToken(ctx context.Context, purpose, token string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 16 {
		return nil, errBadToken
	}
	key, err := s.tokenKey(ctx, purpose)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	m.Write(raw[16:])
	if !hmac.Equal(m.Sum(nil)[:16], raw[:16]) {
		return nil, errBadToken
	}
	return raw[16:], nil
}

// IsBadToken tells whether err is OpenToken's refusal of a token.
func IsBadToken(err error) bool { return errors.Is(err, errBadToken) }
