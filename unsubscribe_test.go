package turkmail_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/turkmail/turkmail"
)

func TestUnsubscribe(t *testing.T) {
	ctx := context.Background()
	svc, seed := statusFixture(t)
	seed.Requester("AREQ1", "Lab <One> & Co", "")
	seed.Requester("AREQ2", "Lab Two", "")
	seed.Worker("AW1", "w1@example.org")

	tok, err := svc.UnsubscribeToken(ctx, "AW1", "AREQ1")
	if err != nil {
		t.Fatal(err)
	}
	// Looking records nothing.
	u, err := svc.Unsubscription(ctx, tok)
	if err != nil || u.WorkerID != "AW1" || u.RequesterID != "AREQ1" || u.RequesterName != "Lab <One> & Co" || !u.OptedOutAt.IsZero() {
		t.Fatalf("Unsubscription = %+v, %v", u, err)
	}
	first, err := svc.Unsubscribe(ctx, tok)
	if err != nil || first.OptedOutAt.IsZero() {
		t.Fatalf("Unsubscribe = %+v, %v", first, err)
	}
	// Idempotent: the same answer, the first time kept.
	again, err := svc.Unsubscribe(ctx, tok)
	if err != nil || again != first {
		t.Fatalf("second Unsubscribe = %+v, %v; want %+v", again, err, first)
	}
	if u, err := svc.Unsubscription(ctx, tok); err != nil || u.OptedOutAt != first.OptedOutAt {
		t.Fatalf("Unsubscription after = %+v, %v", u, err)
	}
	// Only that requester.
	if list, err := svc.OptOuts(ctx, "AW1"); err != nil || len(list) != 1 || list[0].RequesterID != "AREQ1" {
		t.Fatalf("OptOuts = %+v, %v", list, err)
	}

	unknownWorker, _ := svc.UnsubscribeToken(ctx, "AW9", "AREQ1")
	unknownRequester, _ := svc.UnsubscribeToken(ctx, "AW1", "AREQ9")
	forged := []byte(tok)
	forged[3] ^= 1
	for name, bad := range map[string]string{
		"empty": "", "garbage": "not-a-token", "altered": string(forged), "huge": strings.Repeat("A", 10000),
		"other purpose":  mustSign(t, svc, "pagination", "AW1.AREQ1"),
		"unknown worker": unknownWorker, "unknown requester": unknownRequester,
	} {
		if _, err := svc.Unsubscribe(ctx, bad); !errors.Is(err, turkmail.ErrNotFound) {
			t.Errorf("%s: Unsubscribe = %v, want ErrNotFound", name, err)
		}
		if name == "unknown worker" {
			continue // the page can be shown: the token is ours, the requester exists
		}
		if _, err := svc.Unsubscription(ctx, bad); !errors.Is(err, turkmail.ErrNotFound) {
			t.Errorf("%s: Unsubscription = %v, want ErrNotFound", name, err)
		}
	}
}

func mustSign(t *testing.T, svc *turkmail.Service, purpose, payload string) string {
	t.Helper()
	tok, err := svc.SignToken(context.Background(), purpose, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestOptOutAndOptIn(t *testing.T) {
	ctx := context.Background()
	svc, seed := statusFixture(t)
	seed.Requester("AREQ1", "Lab One", "")
	seed.Worker("AW1", "w1@example.org")

	o, already, err := svc.OptOut(ctx, "AW1", "AREQ1")
	if err != nil || already || o.CreatedAt.IsZero() {
		t.Fatalf("OptOut = %+v, %v, %v", o, already, err)
	}
	o2, already, err := svc.OptOut(ctx, "AW1", "AREQ1")
	if err != nil || !already || o2 != o {
		t.Fatalf("second OptOut = %+v, %v, %v; want already, %+v", o2, already, err, o)
	}
	if was, err := svc.OptIn(ctx, "AW1", "AREQ1"); err != nil || !was {
		t.Fatalf("OptIn = %v, %v", was, err)
	}
	if was, err := svc.OptIn(ctx, "AW1", "AREQ1"); err != nil || was {
		t.Fatalf("second OptIn = %v, %v; want nothing to undo", was, err)
	}
	for _, tc := range []struct{ worker, requester, want string }{
		{"aw1", "AREQ1", "is not valid"},
		{"AW9", "AREQ1", "Worker AW9 does not exist."},
		{"AW1", "AREQ9", "Requester AREQ9 does not exist."},
		{"AW1", "", "requester id is required"},
	} {
		for op, f := range map[string]func() error{
			"optout": func() error { _, _, err := svc.OptOut(ctx, tc.worker, tc.requester); return err },
			"optin":  func() error { _, err := svc.OptIn(ctx, tc.worker, tc.requester); return err },
		} {
			err := f()
			if e := turkmail.AsError(err); err == nil || e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, tc.want) {
				t.Errorf("%s(%q, %q) = %v, want a RequestError containing %q", op, tc.worker, tc.requester, err, tc.want)
			}
		}
	}
}
