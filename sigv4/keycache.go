package sigv4

import (
	"crypto/subtle"
	"sync"
)

// keyCacheSize bounds the cache: a derived key lives for one day, so the live
// set is about (active access keys × 2) around midnight. Beyond that an
// arbitrary entry is dropped; a miss costs only four HMACs.
const keyCacheSize = 1024

type keyCacheID struct {
	accessKeyID, date, region, service string
}

type cachedKey struct {
	secret string // the secret the key was derived from, so a rotated secret misses
	key    []byte // never modified once stored
}

// keyCache remembers derived signing keys. It is owned by one Verifier.
type keyCache struct {
	mu      sync.Mutex
	entries map[keyCacheID]cachedKey
}

func newKeyCache() *keyCache {
	return &keyCache{entries: make(map[keyCacheID]cachedKey)}
}

// signingKey returns the key for (accessKeyID, date, region, service) derived
// from secret, from the cache when it was derived from this same secret.
func (c *keyCache) signingKey(accessKeyID, secret, date, region, service string) []byte {
	id := keyCacheID{accessKeyID, date, region, service}
	c.mu.Lock()
	e, ok := c.entries[id]
	c.mu.Unlock()
	if ok && subtle.ConstantTimeCompare([]byte(e.secret), []byte(secret)) == 1 {
		return e.key
	}

	key := SigningKey(secret, date, region, service)

	c.mu.Lock()
	defer c.mu.Unlock()
	if _, present := c.entries[id]; !present && len(c.entries) >= keyCacheSize {
		for victim := range c.entries {
			delete(c.entries, victim)
			break
		}
	}
	c.entries[id] = cachedKey{secret: secret, key: key}
	return key
}

func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}
