package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// acceptance builds an Acceptance whose Decide queues every known worker and records the
// facts it was given.
func acceptance(id, requester, invocation string, at time.Time, workers []string, seen *map[string]turkmail.RecipientFacts) turkmail.Acceptance {
	return turkmail.Acceptance{
		Notification: turkmail.Notification{ID: id, RequesterID: requester, Subject: "S", MessageText: "M", CreatedAt: at},
		WorkerIDs:    workers, InvocationID: invocation,
		InvocationSince: at.Add(-24 * time.Hour), CapSince: at.Add(-time.Hour),
		Decide: func(facts map[string]turkmail.RecipientFacts) (turkmail.Decision, error) {
			if seen != nil {
				*seen = facts
			}
			var d turkmail.Decision
			for _, w := range workers {
				if _, ok := facts[w]; ok {
					d.Queue = append(d.Queue, turkmail.Recipient{WorkerID: w, MessageID: turkmail.MessageID(id, w)})
				}
			}
			d.Response = []byte(fmt.Sprintf(`{"id":%q}`, id))
			return d, nil
		},
	}
}

func TestAcceptNotification(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Millisecond)
		seed.Requester("AREQ", "Lab", "")
		seed.Requester("AREQ2", "Other", "")
		ws := seed.Workers("W", 3, "example.org") // AW0 AW1 AW2
		seed.Worker("AUPPER", "Mixed.Case@Example.ORG")
		seed.OptOut("AW1", "AREQ")
		seed.OptOut("AW2", "AREQ2") // another requester's opt-out does not count
		seed.Reviewed("AREQ", "AW0")
		seed.Reviewed("AREQ2", "AW1") // eligibility is per requester
		seed.Suppress("mixed.case@example.org", "550 no such user")
		// Recent deliveries to AW0: two inside the hour, one before it, one from another requester.
		seed.Notification("NOLD", "AREQ", "s", "m", at.Add(-2*time.Hour))
		seed.Deliveries("NOLD", "AREQ", []string{"AW0"}, at.Add(-2*time.Hour))
		seed.Notification("NA", "AREQ", "s", "m", at.Add(-30*time.Minute))
		seed.Deliveries("NA", "AREQ", []string{"AW0"}, at.Add(-30*time.Minute))
		seed.Notification("NB", "AREQ", "s", "m", at.Add(-time.Hour))
		seed.Deliveries("NB", "AREQ", []string{"AW0"}, at.Add(-time.Hour))
		seed.Notification("NC", "AREQ2", "s", "m", at)
		seed.Deliveries("NC", "AREQ2", []string{"AW0"}, at)

		var facts map[string]turkmail.RecipientFacts
		got, err := s.AcceptNotification(ctx, acceptance("N1", "AREQ", "inv-1", at, append(ws, "AUPPER", "ANOBODY"), &facts))
		if err != nil || got.Replayed || got.NotificationID != "N1" || string(got.Response) != `{"id":"N1"}` {
			t.Fatalf("AcceptNotification = %+v, %v", got, err)
		}
		want := map[string]turkmail.RecipientFacts{
			"AW0": {Reviewed: true, Recent: 2}, "AW1": {OptedOut: true}, "AW2": {}, "AUPPER": {Suppressed: true},
		}
		if fmt.Sprint(facts) != fmt.Sprint(want) {
			t.Fatalf("facts = %v, want %v (unknown workers absent)", facts, want)
		}
		report, err := s.NotificationReport(ctx, "AREQ", "N1")
		if err != nil || report.WorkerCount != 4 || report.Counts.Queued != 4 {
			t.Fatalf("report = %+v, %v; want 4 queued", report, err)
		}

		// The same invocation: the first answer, nothing written, Decide not even asked.
		replay := acceptance("N2", "AREQ", "inv-1", at.Add(time.Hour), ws, nil)
		replay.Decide = func(map[string]turkmail.RecipientFacts) (turkmail.Decision, error) {
			return turkmail.Decision{}, errors.New("Decide called on a replay")
		}
		got, err = s.AcceptNotification(ctx, replay)
		if err != nil || !got.Replayed || got.NotificationID != "N1" || string(got.Response) != `{"id":"N1"}` {
			t.Fatalf("replay = %+v, %v", got, err)
		}
		if _, err := s.NotificationReport(ctx, "AREQ", "N2"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("a replay wrote notification N2: %v", err)
		}
		// The same invocation id of another requester is another key.
		if got, err := s.AcceptNotification(ctx, acceptance("N3", "AREQ2", "inv-1", at, ws[:1], nil)); err != nil || got.Replayed {
			t.Fatalf("other requester = %+v, %v", got, err)
		}
		// A stale record is replaced.
		later := at.Add(25 * time.Hour)
		if got, err := s.AcceptNotification(ctx, acceptance("N4", "AREQ", "inv-1", later, ws[:1], nil)); err != nil || got.Replayed || got.NotificationID != "N4" {
			t.Fatalf("after 24h = %+v, %v", got, err)
		}
		// Without an invocation id nothing is recorded, so nothing replays.
		for _, id := range []string{"N5", "N6"} {
			if got, err := s.AcceptNotification(ctx, acceptance(id, "AREQ", "", at, ws[:1], nil)); err != nil || got.Replayed {
				t.Fatalf("no invocation id = %+v, %v", got, err)
			}
		}
		// A Decide error rolls everything back.
		bad := acceptance("N7", "AREQ", "inv-7", at, ws, nil)
		bad.Decide = func(map[string]turkmail.RecipientFacts) (turkmail.Decision, error) {
			return turkmail.Decision{}, errors.New("no")
		}
		if _, err := s.AcceptNotification(ctx, bad); err == nil {
			t.Fatal("Decide's error was lost")
		}
		if _, err := s.NotificationReport(ctx, "AREQ", "N7"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("N7 after a failed Decide: %v", err)
		}

		// Purge: records before the horizon go (inv-1 of AREQ2 made at `at`), newer stay.
		n, err := s.PurgeInvocations(ctx, at.Add(time.Millisecond))
		if err != nil || n != 1 {
			t.Fatalf("PurgeInvocations = %d, %v; want 1", n, err)
		}
		if got, err := s.AcceptNotification(ctx, acceptance("N8", "AREQ", "inv-1", later, ws[:1], nil)); err != nil || got.NotificationID != "N4" {
			t.Fatalf("AREQ's newer record was purged: %+v, %v", got, err)
		}
	})
}

// Concurrent calls with one invocation id: one commits, the others answer its response.
func TestAcceptNotificationConcurrentDuplicates(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		at := time.Now().UTC().Truncate(time.Millisecond)
		seed.Requester("AREQ", "Lab", "")
		ws := seed.Workers("W", 5, "example.org")
		const n = 10
		var wg sync.WaitGroup
		results := make([]turkmail.Accepted, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				results[i], errs[i] = s.AcceptNotification(context.Background(), acceptance(fmt.Sprintf("N%d", i), "AREQ", "inv", at, ws, nil))
			})
		}
		wg.Wait()
		fresh := 0
		for i := range n {
			if errs[i] != nil || results[i].NotificationID != results[0].NotificationID {
				t.Fatalf("call %d: %+v %v", i, results[i], errs[i])
			}
			if !results[i].Replayed {
				fresh++
			}
		}
		counts, err := s.CountDeliveries(context.Background())
		if err != nil || fresh != 1 || counts[turkmail.DeliveryQueued] != len(ws) {
			t.Fatalf("%d fresh answers, %v deliveries (%v); want 1 and %d", fresh, counts, err, len(ws))
		}
	})
}
