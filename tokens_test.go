package turkmail_test

import (
	"context"
	"testing"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/storetest"
)

func TestTokens(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, "sqlite")
	svc, err := turkmail.NewService(store, turkmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.SignToken(ctx, "page", []byte("hits:after=42"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := svc.OpenToken(ctx, "page", tok); err != nil || string(got) != "hits:after=42" {
		t.Fatalf("OpenToken = %q, %v", got, err)
	}
	// A second Service on the same database (another node) agrees on the key.
	svc2, _ := turkmail.NewService(store, turkmail.Options{})
	if got, err := svc2.OpenToken(ctx, "page", tok); err != nil || string(got) != "hits:after=42" {
		t.Fatalf("another node's OpenToken = %q, %v", got, err)
	}
	flip := []byte(tok)
	flip[5] ^= 1 // inside the MAC, where every bit counts
	for name, bad := range map[string]string{
		"other purpose": "", "altered": string(flip), "empty": "", "not base64": "!!!", "short": "AAAA",
	} {
		purpose := "page"
		if name == "other purpose" {
			purpose, bad = "unsubscribe", tok
		}
		if _, err := svc.OpenToken(ctx, purpose, bad); !turkmail.IsBadToken(err) {
			t.Errorf("%s: OpenToken = %v, want a bad-token error", name, err)
		}
	}
}
