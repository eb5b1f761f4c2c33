package sigv4

import (
	"bytes"
	"fmt"
	"testing"
)

func TestKeyCache(t *testing.T) {
	c := newKeyCache()
	k1 := c.signingKey("AKID", "secret-1", "20260314", "us-east-1", "mturk-requester")
	if want := SigningKey("secret-1", "20260314", "us-east-1", "mturk-requester"); !bytes.Equal(k1, want) {
		t.Fatal("cached key differs from a freshly derived one")
	}
	if again := c.signingKey("AKID", "secret-1", "20260314", "us-east-1", "mturk-requester"); &again[0] != &k1[0] {
		t.Error("second call did not hit the cache")
	}
	k2 := c.signingKey("AKID", "secret-2", "20260314", "us-east-1", "mturk-requester")
	if want := SigningKey("secret-2", "20260314", "us-east-1", "mturk-requester"); !bytes.Equal(k2, want) {
		t.Fatal("rotated secret served the old key")
	}
	for i := range 3 * keyCacheSize {
		c.signingKey(fmt.Sprintf("AKID%d", i), "s", "20260314", "us-east-1", "mturk-requester")
	}
	if n := c.len(); n > keyCacheSize {
		t.Fatalf("cache holds %d entries, bound is %d", n, keyCacheSize)
	}
}
