package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// seedDeliveryHistory gives requester AREQ1 notification N1 with one delivery in each of
// five states (moved there through the outbox's own claim and record), N2 with two queued
// deliveries due later, and N3 with none; AREQ2 gets NOTHER.
func seedDeliveryHistory(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder, t0 time.Time) {
	t.Helper()
	ctx := context.Background()
	seed.Requester("AREQ1", "Lab One", "")
	seed.Requester("AREQ2", "Lab Two", "")
	workers := []string{"AW1", "AW2", "AW3", "AW4", "AW5"}
	for _, w := range workers {
		seed.Worker(w, w+"@example.org")
	}
	seed.Notification("N1", "AREQ1", "First", "text", t0)
	seed.Deliveries("N1", "AREQ1", workers, t0)
	seed.Notification("N2", "AREQ1", "Second", "text", t0.Add(time.Hour))
	seed.Deliveries("N2", "AREQ1", []string{"AW1", "AW2"}, t0.Add(48*time.Hour))
	seed.Notification("N3", "AREQ1", "Third", "text", t0.Add(2*time.Hour))
	seed.Notification("NOTHER", "AREQ2", "Other", "text", t0)
	seed.Deliveries("NOTHER", "AREQ2", []string{"AW1"}, t0.Add(48*time.Hour))
	seed.OptOut("AW5", "AREQ1")

	now := t0.Add(time.Minute)
	claimed, err := s.ClaimDeliveries(ctx, "test", now, time.Minute, 100)
	if err != nil || len(claimed) != 5 {
		t.Fatalf("claim = %d rows, %v; want N1's 5", len(claimed), err)
	}
	result := map[string]turkmail.DeliveryResult{
		"AW1": {State: turkmail.DeliveryDelivered, Code: 250, Text: "OK queued"},
		"AW2": {State: turkmail.DeliveryBounced, Code: 550, Enhanced: "5.1.1", Text: "<redacted>: no such user"},
		"AW3": {State: turkmail.DeliveryDeferred, DueAt: now.Add(10 * time.Minute), Code: 451, Enhanced: "4.7.1", Text: "try later"},
		"AW4": {State: turkmail.DeliveryQueued},
		"AW5": {State: turkmail.DeliveryCancelled, Text: "the worker opted out"},
	}
	var results []turkmail.DeliveryResult
	for _, o := range claimed {
		r := result[o.WorkerID]
		r.ID = o.ID
		results = append(results, r)
	}
	if n, err := s.RecordDeliveries(ctx, "test", now, results); err != nil || n != 5 {
		t.Fatalf("record = %d, %v", n, err)
	}
}

func TestNotificationReport(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		seedDeliveryHistory(t, s, seed, t0)

		r, err := s.NotificationReport(ctx, "AREQ1", "N1")
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != "N1" || r.RequesterID != "AREQ1" || r.Subject != "First" || !r.CreatedAt.Equal(t0) || r.WorkerCount != 5 {
			t.Fatalf("summary = %+v", r.NotificationSummary)
		}
		want := turkmail.DeliveryCounts{Queued: 1, Deferred: 1, Delivered: 1, Bounced: 1, Cancelled: 1}
		if r.Counts != want {
			t.Fatalf("counts = %+v, want %+v", r.Counts, want)
		}
		byWorker := map[string]turkmail.DeliveryReport{}
		var order []string
		for _, d := range r.Deliveries {
			byWorker[d.WorkerID] = d
			order = append(order, d.WorkerID)
		}
		if !slices.Equal(order, []string{"AW1", "AW2", "AW3", "AW4", "AW5"}) {
			t.Fatalf("deliveries in order %v, want worker id order", order)
		}
		attempt := t0.Add(time.Minute)
		for _, tc := range []struct {
			worker   string
			state    turkmail.DeliveryState
			attempts int
			code     int
			enhanced string
			text     string
		}{
			{"AW1", turkmail.DeliveryDelivered, 1, 250, "", "OK queued"},
			{"AW2", turkmail.DeliveryBounced, 1, 550, "5.1.1", "<redacted>: no such user"},
			{"AW3", turkmail.DeliveryDeferred, 1, 451, "4.7.1", "try later"},
			{"AW4", turkmail.DeliveryQueued, 0, 0, "", ""},
			{"AW5", turkmail.DeliveryCancelled, 1, 0, "", "the worker opted out"},
		} {
			d := byWorker[tc.worker]
			if d.State != tc.state || d.Attempts != tc.attempts || d.LastCode != tc.code || d.LastEnhanced != tc.enhanced || d.LastText != tc.text {
				t.Errorf("%s = %+v, want %s, %d attempts, %d %s %q", tc.worker, d, tc.state, tc.attempts, tc.code, tc.enhanced, tc.text)
			}
			if tc.attempts > 0 && !d.LastAttemptAt.Equal(attempt) {
				t.Errorf("%s last attempt %v, want %v", tc.worker, d.LastAttemptAt, attempt)
			}
		}

		empty, err := s.NotificationReport(ctx, "AREQ1", "N3")
		if err != nil || empty.WorkerCount != 0 || len(empty.Deliveries) != 0 || empty.Subject != "Third" {
			t.Fatalf("notification without deliveries = %+v, %v", empty, err)
		}
		// Tenancy: another requester's notification is not found, exactly like an unknown one.
		for _, tc := range []struct{ requester, id string }{{"AREQ2", "N1"}, {"AREQ1", "NOTHER"}, {"AREQ1", "NNOPE"}} {
			if _, err := s.NotificationReport(ctx, tc.requester, tc.id); !errors.Is(err, turkmail.ErrNotFound) {
				t.Errorf("NotificationReport(%s, %s) = %v, want ErrNotFound", tc.requester, tc.id, err)
			}
		}
	})
}

func TestListNotificationSummaries(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		seedDeliveryHistory(t, s, seed, t0)
		// Two more at one instant: the id breaks the tie, so paging neither skips nor repeats.
		seed.Notification("N4A", "AREQ1", "Tie A", "text", t0.Add(3*time.Hour))
		seed.Notification("N4B", "AREQ1", "Tie B", "text", t0.Add(3*time.Hour))

		var got []string
		p := turkmail.Page{Limit: 2}
		for range 10 {
			page, err := s.ListNotificationSummaries(ctx, "AREQ1", p)
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range page {
				got = append(got, n.ID)
				if n.RequesterID != "AREQ1" {
					t.Errorf("%s has requester %s", n.ID, n.RequesterID)
				}
			}
			if len(page) < p.Limit {
				break
			}
			last := page[len(page)-1]
			p.After = turkmail.Cursor{At: last.CreatedAt, ID: last.ID}
		}
		if want := []string{"N4B", "N4A", "N3", "N2", "N1"}; !slices.Equal(got, want) {
			t.Fatalf("paged listing = %v, want newest first %v", got, want)
		}

		all, err := s.ListNotificationSummaries(ctx, "AREQ1", turkmail.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]string{}
		for _, n := range all {
			counts[n.ID] = fmt.Sprintf("%d %+v", n.WorkerCount, n.Counts)
		}
		for id, want := range map[string]string{
			"N1": fmt.Sprintf("5 %+v", turkmail.DeliveryCounts{Queued: 1, Deferred: 1, Delivered: 1, Bounced: 1, Cancelled: 1}),
			"N2": fmt.Sprintf("2 %+v", turkmail.DeliveryCounts{Queued: 2}),
			"N3": fmt.Sprintf("0 %+v", turkmail.DeliveryCounts{}),
		} {
			if counts[id] != want {
				t.Errorf("%s counts %s, want %s", id, counts[id], want)
			}
		}
		if other, err := s.ListNotificationSummaries(ctx, "AREQ2", turkmail.Page{Limit: 100}); err != nil || len(other) != 1 || other[0].ID != "NOTHER" {
			t.Fatalf("AREQ2's listing = %+v, %v", other, err)
		}
	})
}

func TestListDeliveryRecords(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		seedDeliveryHistory(t, s, seed, t0)
		for _, tc := range []struct {
			name string
			f    turkmail.DeliveryFilter
			want []string // notification/worker, newest first: by creation, then row id
		}{
			{"all", turkmail.DeliveryFilter{Limit: 100},
				[]string{"NOTHER/AW1", "N2/AW2", "N2/AW1", "N1/AW5", "N1/AW4", "N1/AW3", "N1/AW2", "N1/AW1"}},
			{"limit", turkmail.DeliveryFilter{Limit: 2}, []string{"NOTHER/AW1", "N2/AW2"}},
			{"notification", turkmail.DeliveryFilter{NotificationID: "N2", Limit: 100}, []string{"N2/AW2", "N2/AW1"}},
			{"state", turkmail.DeliveryFilter{State: turkmail.DeliveryBounced, Limit: 100}, []string{"N1/AW2"}},
			{"requester", turkmail.DeliveryFilter{RequesterID: "AREQ2", Limit: 100}, []string{"NOTHER/AW1"}},
			{"worker and state", turkmail.DeliveryFilter{WorkerID: "AW1", State: turkmail.DeliveryQueued, Limit: 100},
				[]string{"NOTHER/AW1", "N2/AW1"}},
			{"nothing", turkmail.DeliveryFilter{NotificationID: "NNOPE", Limit: 100}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				recs, err := s.ListDeliveryRecords(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, r := range recs {
					got = append(got, r.NotificationID+"/"+r.WorkerID)
					if r.WorkerEmail != "" {
						t.Errorf("%s/%s: address %q read without WithAddresses", r.NotificationID, r.WorkerID, r.WorkerEmail)
					}
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
			})
		}
		recs, err := s.ListDeliveryRecords(ctx, turkmail.DeliveryFilter{NotificationID: "N1", WorkerID: "AW2", WithAddresses: true, Limit: 10})
		if err != nil || len(recs) != 1 {
			t.Fatalf("with addresses: %+v, %v", recs, err)
		}
		r := recs[0]
		if r.WorkerEmail != "AW2@example.org" || r.State != turkmail.DeliveryBounced || r.LastCode != 550 || r.MessageID != storetest.MessageID("N1", "AW2") {
			t.Fatalf("record = %+v", r)
		}
	})
}
