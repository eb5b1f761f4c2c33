package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

func TestWorkerOptOutAndOptIn(t *testing.T) {
	db := filepath.Join(t.TempDir(), "turkmail.db")
	store, err := sqlstore.Open(context.Background(), db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	seed := storetest.NewSeeder(t, db)
	seed.Requester("AREQ1", "Lab One", "")
	seed.Worker("AW1", "w1@example.org")

	for _, tc := range []struct {
		args []string
		want string
		err  string
	}{
		{[]string{"worker", "optout", "AW1", "--requester", "AREQ1"}, "Worker AW1 opted out of email from AREQ1 (Lab One).", ""},
		{[]string{"worker", "optout", "AW1", "--requester", "AREQ1"}, "had already opted out of email from AREQ1 (Lab One)", ""},
		{[]string{"worker", "optin", "AW1", "--requester", "AREQ1"}, "Worker AW1 receives email from AREQ1 again.", ""},
		{[]string{"worker", "optin", "AW1", "--requester", "AREQ1"}, "had not opted out of email from AREQ1; nothing changed.", ""},
		{[]string{"worker", "optout", "AW9", "--requester", "AREQ1"}, "", "Worker AW9 does not exist."},
		{[]string{"worker", "optout", "AW1", "--requester", "AREQ9"}, "", "Requester AREQ9 does not exist."},
		{[]string{"worker", "optout", "AW1"}, "", `"requester" not set`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, _, err := runCLI(t, db, tc.args...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil || !strings.Contains(out, tc.want) {
				t.Fatalf("got %q, %v; want %q", out, err, tc.want)
			}
		})
	}
}
