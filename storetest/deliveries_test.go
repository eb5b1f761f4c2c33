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

var outboxT0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// seedOutbox makes a requester AREQ1, workers and one notification N1 with a delivery each.
func seedOutbox(seed *storetest.Seeder, workers map[string]string) []string {
	seed.Requester("AREQ1", "Vision Lab", "lab@example.org")
	var ids []string
	for id, email := range workers {
		seed.Worker(id, email)
		ids = append(ids, id)
	}
	seed.Notification("N1", "AREQ1", "New batch", "Hello\nthere", outboxT0)
	seed.Deliveries("N1", "AREQ1", ids, outboxT0)
	return ids
}

func TestClaimDeliveries(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		seedOutbox(seed, map[string]string{"AW1": "w1@example.org", "AW2": "W2@Example.org", "AW3": "w3@example.org"})
		seed.OptOut("AW3", "AREQ1")
		seed.Suppress("w2@example.org", "550 earlier")

		if got, err := s.ClaimDeliveries(ctx, "A", outboxT0.Add(-time.Second), time.Minute, 10); err != nil || len(got) != 0 {
			t.Fatalf("claim before due = %d rows, %v; want none", len(got), err)
		}
		first, err := s.ClaimDeliveries(ctx, "A", outboxT0, time.Minute, 2)
		if err != nil || len(first) != 2 {
			t.Fatalf("claim 2 = %d rows, %v", len(first), err)
		}
		rest, err := s.ClaimDeliveries(ctx, "A", outboxT0, time.Minute, 10)
		if err != nil || len(rest) != 1 {
			t.Fatalf("claim rest = %d rows, %v", len(rest), err)
		}
		byWorker := map[string]turkmail.Outgoing{}
		for _, o := range append(first, rest...) {
			byWorker[o.WorkerID] = o
			if o.State != turkmail.DeliverySending || o.Attempts != 1 || o.LeaseOwner != "A" ||
				!o.DueAt.Equal(outboxT0.Add(time.Minute)) || !o.CreatedAt.Equal(outboxT0) {
				t.Errorf("claimed %+v", o.Delivery)
			}
			if o.Subject != "New batch" || o.MessageText != "Hello\nthere" || o.RequesterName != "Vision Lab" ||
				o.RequesterContact != "lab@example.org" || o.MessageID != storetest.MessageID("N1", o.WorkerID) {
				t.Errorf("claimed content %+v", o)
			}
		}
		if o := byWorker["AW1"]; o.WorkerEmail != "w1@example.org" || o.OptedOut || o.Suppressed {
			t.Errorf("AW1: %+v", o)
		}
		if o := byWorker["AW2"]; o.WorkerEmail != "W2@Example.org" || !o.Suppressed || o.OptedOut {
			t.Errorf("AW2 (suppressed in another case): %+v", o)
		}
		if o := byWorker["AW3"]; !o.OptedOut || o.Suppressed {
			t.Errorf("AW3 (opted out): %+v", o)
		}
		if got, _ := s.ClaimDeliveries(ctx, "B", outboxT0.Add(30*time.Second), time.Minute, 10); len(got) != 0 {
			t.Fatalf("claim under a live lease got %d rows", len(got))
		}

		later := outboxT0.Add(5 * time.Second)
		retry := outboxT0.Add(10 * time.Minute)
		n, err := s.RecordDeliveries(ctx, "A", later, []turkmail.DeliveryResult{
			{ID: byWorker["AW1"].ID, State: turkmail.DeliveryDeferred, DueAt: retry, Code: 451, Enhanced: "4.3.0", Text: "try later"},
			{ID: byWorker["AW2"].ID, State: turkmail.DeliveryBounced, Code: 550, Enhanced: "5.1.1", Text: "no such user", Suppress: "NEW@Example.org"},
			{ID: byWorker["AW3"].ID, State: turkmail.DeliveryCancelled, Text: "opted out"},
		})
		if err != nil || n != 3 {
			t.Fatalf("RecordDeliveries = %d, %v", n, err)
		}
		d, err := s.Delivery(ctx, byWorker["AW1"].ID)
		if err != nil || d.State != turkmail.DeliveryDeferred || !d.DueAt.Equal(retry) || d.LeaseOwner != "" ||
			d.LastCode != 451 || d.LastEnhanced != "4.3.0" || d.LastText != "try later" || d.Attempts != 1 ||
			!d.LastAttemptAt.Equal(outboxT0) || !d.UpdatedAt.Equal(later) {
			t.Fatalf("deferred delivery = %+v, %v", d, err)
		}
		if ok, err := s.IsSuppressed(ctx, "new@example.ORG"); err != nil || !ok {
			t.Fatalf("bounced address not suppressed: %v, %v", ok, err)
		}
		if _, err := s.Delivery(ctx, 999999); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("unknown delivery: %v", err)
		}

		// The deferred row comes back when due, and only then.
		if got, _ := s.ClaimDeliveries(ctx, "A", retry.Add(-time.Millisecond), time.Minute, 10); len(got) != 0 {
			t.Fatalf("deferred row claimed early")
		}
		again, err := s.ClaimDeliveries(ctx, "A", retry, time.Minute, 10)
		if err != nil || len(again) != 1 || again[0].Attempts != 2 {
			t.Fatalf("claim of the due retry = %+v, %v", again, err)
		}
		counts, err := s.CountDeliveries(ctx)
		want := map[turkmail.DeliveryState]int{turkmail.DeliverySending: 1, turkmail.DeliveryBounced: 1, turkmail.DeliveryCancelled: 1}
		if err != nil || fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Fatalf("CountDeliveries = %v, %v; want %v", counts, err, want)
		}
	})
}

func TestDeliveryLeaseTakeover(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		seedOutbox(seed, map[string]string{"AW1": "w1@example.org"})
		a, err := s.ClaimDeliveries(ctx, "A", outboxT0, time.Minute, 10)
		if err != nil || len(a) != 1 {
			t.Fatalf("A's claim = %d, %v", len(a), err)
		}
		if got, _ := s.ClaimDeliveries(ctx, "B", outboxT0.Add(time.Minute-time.Millisecond), time.Minute, 10); len(got) != 0 {
			t.Fatal("B took a live lease")
		}
		b, err := s.ClaimDeliveries(ctx, "B", outboxT0.Add(time.Minute), time.Minute, 10)
		if err != nil || len(b) != 1 || b[0].Attempts != 2 || b[0].LeaseOwner != "B" {
			t.Fatalf("B's claim after the lease ran out = %+v, %v", b, err)
		}
		// A comes back from a stall: its result must not overwrite B's lease.
		if n, err := s.RecordDeliveries(ctx, "A", outboxT0.Add(61*time.Second), []turkmail.DeliveryResult{
			{ID: a[0].ID, State: turkmail.DeliveryBounced, Code: 550, Suppress: "w1@example.org"},
		}); err != nil || n != 0 {
			t.Fatalf("stale owner's record = %d, %v; want 0", n, err)
		}
		if ok, _ := s.IsSuppressed(ctx, "w1@example.org"); ok {
			t.Fatal("a result that was not applied suppressed the address")
		}
		if n, err := s.RecordDeliveries(ctx, "B", outboxT0.Add(62*time.Second), []turkmail.DeliveryResult{
			{ID: b[0].ID, State: turkmail.DeliveryDelivered},
		}); err != nil || n != 1 {
			t.Fatalf("owner's record = %d, %v", n, err)
		}
		// A result for a row no longer sending (B's, twice) is refused too.
		if n, _ := s.RecordDeliveries(ctx, "B", outboxT0.Add(63*time.Second), []turkmail.DeliveryResult{
			{ID: b[0].ID, State: turkmail.DeliveryBounced},
		}); n != 0 {
			t.Fatal("a final delivery was overwritten")
		}
		if d, _ := s.Delivery(ctx, b[0].ID); d.State != turkmail.DeliveryDelivered {
			t.Fatalf("state = %s", d.State)
		}
	})
}

func TestDeliveryRelease(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		seedOutbox(seed, map[string]string{"AW1": "w1@example.org"})
		got, err := s.ClaimDeliveries(ctx, "A", outboxT0, time.Hour, 10)
		if err != nil || len(got) != 1 {
			t.Fatalf("claim = %d, %v", len(got), err)
		}
		at := outboxT0.Add(time.Second)
		if n, err := s.RecordDeliveries(ctx, "A", at, []turkmail.DeliveryResult{{ID: got[0].ID, State: turkmail.DeliveryQueued}}); err != nil || n != 1 {
			t.Fatalf("release = %d, %v", n, err)
		}
		d, _ := s.Delivery(ctx, got[0].ID)
		if d.State != turkmail.DeliveryQueued || d.Attempts != 0 || !d.DueAt.Equal(at) || d.LeaseOwner != "" {
			t.Fatalf("released delivery = %+v", d)
		}
		if again, _ := s.ClaimDeliveries(ctx, "B", at, time.Hour, 10); len(again) != 1 {
			t.Fatal("released delivery not claimable at once")
		}
	})
}

// TestClaimDeliveriesConcurrently: claimers racing on the same rows never get the same one
// (SKIP LOCKED on PostgreSQL, the one writer on SQLite).
func TestClaimDeliveriesConcurrently(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		seed.Requester("AREQ1", "Lab", "")
		ids := seed.Workers("W", 600, "example.org")
		seed.Notification("N1", "AREQ1", "s", "t", outboxT0)
		seed.Deliveries("N1", "AREQ1", ids, outboxT0)
		var mu sync.Mutex
		seen := map[int64]string{}
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for c := range 4 {
			owner := fmt.Sprintf("node%d", c)
			wg.Go(func() {
				for {
					got, err := s.ClaimDeliveries(ctx, owner, outboxT0, time.Hour, 7)
					if err != nil {
						errs <- err
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, o := range got {
						if prev, ok := seen[o.ID]; ok {
							errs <- fmt.Errorf("delivery %d claimed by %s and %s", o.ID, prev, owner)
						}
						seen[o.ID] = owner
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if len(seen) != len(ids) {
			t.Fatalf("claimed %d distinct deliveries, want %d", len(seen), len(ids))
		}
	})
}

func TestCaptureMailbox(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		for i := range 5 {
			e := turkmail.Envelope{From: "turkmail@localhost", To: fmt.Sprintf("w%d@example.org", i),
				MessageID: fmt.Sprintf("<m%d@x>", i), Data: []byte(fmt.Sprintf("Subject: %d\r\n\r\nbody ü\r\n", i))}
			if err := s.CaptureMail(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		if n, err := s.CountCapturedMail(ctx); err != nil || n != 5 {
			t.Fatalf("CountCapturedMail = %d, %v", n, err)
		}
		page, err := s.ListCapturedMail(ctx, 3, 0)
		if err != nil || len(page) != 3 || page[0].MessageID != "<m4@x>" || page[2].MessageID != "<m2@x>" {
			t.Fatalf("first page = %+v, %v", page, err)
		}
		next, err := s.ListCapturedMail(ctx, 3, page[2].ID)
		if err != nil || len(next) != 2 || next[1].MessageID != "<m0@x>" {
			t.Fatalf("second page = %+v, %v", next, err)
		}
		m, err := s.CapturedMail(ctx, next[1].ID)
		if err != nil || m.EnvelopeTo != "w0@example.org" || m.EnvelopeFrom != "turkmail@localhost" ||
			string(m.Raw) != "Subject: 0\r\n\r\nbody ü\r\n" || m.CreatedAt.IsZero() {
			t.Fatalf("CapturedMail = %+v, %v", m, err)
		}
		if _, err := s.CapturedMail(ctx, 12345); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("unknown message: %v", err)
		}
	})
}
