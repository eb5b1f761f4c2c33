package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// runCLI runs the turkmail command line against the SQLite file db.
func runCLI(t *testing.T, db string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCommand(func(k string) string {
		if k == "TURKMAIL_DB" {
			return db
		}
		return ""
	})
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

// deliveriesDB is a database with one bounced and one queued delivery. The bounce's stored
// text holds the address, as a row written by a careless sender might.
func deliveriesDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "turkmail.db")
	store, err := sqlstore.Open(context.Background(), db, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	seed := storetest.NewSeeder(t, db)
	seed.Requester("AREQ1", "Lab One", "")
	seed.Worker("AW1", "privacy-canary-cli-1@example.org")
	seed.Worker("AW2", "privacy-canary-cli-2@example.org")
	t0 := time.Now().Add(-time.Hour)
	seed.Notification("N1", "AREQ1", "Hello", "text", t0)
	seed.Deliveries("N1", "AREQ1", []string{"AW1"}, t0)
	seed.Deliveries("N1", "AREQ1", []string{"AW2"}, t0.Add(time.Hour*24))
	ctx := context.Background()
	claimed, err := store.ClaimDeliveries(ctx, "test", time.Now(), time.Minute, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %d, %v", len(claimed), err)
	}
	if _, err := store.RecordDeliveries(ctx, "test", time.Now(), []turkmail.DeliveryResult{{ID: claimed[0].ID,
		State: turkmail.DeliveryBounced, Code: 550, Enhanced: "5.1.1", Text: "<privacy-canary-cli-1@example.org>: no such user"}}); err != nil {
		t.Fatal(err)
	}
	return db
}

func TestDeliveriesList(t *testing.T) {
	db := deliveriesDB(t)
	for _, tc := range []struct {
		name      string
		args      []string
		want      []string
		addresses bool
	}{
		{"table", []string{"deliveries", "list"},
			[]string{"NOTIFICATION", "AW1", "bounced", "550 5.1.1 <redacted>: no such user", "AW2", "queued"}, false},
		{"by state", []string{"deliveries", "list", "--state", "Bounced"}, []string{"AW1"}, false},
		{"json", []string{"deliveries", "list", "--json"}, []string{`"WorkerId": "AW1"`, `"LastReplyText": "<redacted>: no such user"`}, false},
		{"with addresses", []string{"deliveries", "list", "--show-addresses"},
			[]string{"ADDRESS", "privacy-canary-cli-1@example.org", "privacy-canary-cli-2@example.org"}, true},
		{"json with addresses", []string{"deliveries", "list", "--json", "--show-addresses"},
			[]string{`"WorkerEmail": "privacy-canary-cli-2@example.org"`}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := runCLI(t, db, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if !tc.addresses && strings.Contains(out, "privacy-canary") {
				t.Errorf("output shows an address without --show-addresses:\n%s", out)
			}
		})
	}
	out, _, err := runCLI(t, db, "deliveries", "list", "--state", "bounced", "--json")
	var recs []map[string]any
	if err != nil || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 1 || recs[0]["State"] != "bounced" {
		t.Fatalf("--json output %s, %v", out, err)
	}
	if _, ok := recs[0]["NextAttemptTime"]; ok {
		t.Errorf("a bounced delivery has a next attempt: %v", recs[0])
	}
	if _, _, err := runCLI(t, db, "deliveries", "list", "--state", "lost"); err == nil || !strings.Contains(err.Error(), "not a delivery state") {
		t.Fatalf("unknown state: %v", err)
	}
	if _, stderr, err := runCLI(t, db, "deliveries", "list", "--notification", "NNOPE"); err != nil || !strings.Contains(stderr, "no deliveries match") {
		t.Fatalf("no match: %q, %v", stderr, err)
	}
}
