package storetest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

func TestOptOuts(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		ctx := context.Background()
		seed.Requester("AREQ1", "Lab One", "")
		seed.Requester("AREQ2", "Lab Two", "")
		seed.Worker("AW1", "w1@example.org")
		seed.Worker("AW2", "w2@example.org")
		t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

		created, err := s.PutOptOut(ctx, turkmail.OptOut{WorkerID: "AW1", RequesterID: "AREQ1", CreatedAt: t0})
		if err != nil || !created {
			t.Fatalf("first PutOptOut = %v, %v; want created", created, err)
		}
		// Repeating it changes nothing, the first time included.
		created, err = s.PutOptOut(ctx, turkmail.OptOut{WorkerID: "AW1", RequesterID: "AREQ1", CreatedAt: t0.Add(time.Hour)})
		if err != nil || created {
			t.Fatalf("second PutOptOut = %v, %v; want not created, no error", created, err)
		}
		if o, err := s.OptOut(ctx, "AW1", "AREQ1"); err != nil || !o.CreatedAt.Equal(t0) {
			t.Fatalf("OptOut = %+v, %v; want the first time %v", o, err, t0)
		}
		if _, err := s.OptOut(ctx, "AW1", "AREQ2"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("OptOut of another requester = %v, want ErrNotFound", err)
		}

		for _, tc := range []struct{ worker, requester string }{{"ANOPE", "AREQ1"}, {"AW1", "ANOPE"}} {
			if _, err := s.PutOptOut(ctx, turkmail.OptOut{WorkerID: tc.worker, RequesterID: tc.requester, CreatedAt: t0}); !errors.Is(err, turkmail.ErrNotFound) {
				t.Errorf("PutOptOut(%s, %s) = %v, want ErrNotFound", tc.worker, tc.requester, err)
			}
			if _, err := s.DeleteOptOut(ctx, tc.worker, tc.requester); !errors.Is(err, turkmail.ErrNotFound) {
				t.Errorf("DeleteOptOut(%s, %s) = %v, want ErrNotFound", tc.worker, tc.requester, err)
			}
		}

		if _, err := s.OptOut(ctx, "AW2", "AREQ1"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("OptOut of another worker = %v, want ErrNotFound", err)
		}

		if _, err := s.PutOptOut(ctx, turkmail.OptOut{WorkerID: "AW1", RequesterID: "AREQ2", CreatedAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListOptOuts(ctx, "AW1")
		if err != nil || len(list) != 2 || list[0].RequesterID != "AREQ1" || list[1].RequesterID != "AREQ2" {
			t.Fatalf("ListOptOuts = %+v, %v; want AREQ1 then AREQ2", list, err)
		}

		removed, err := s.DeleteOptOut(ctx, "AW1", "AREQ1")
		if err != nil || !removed {
			t.Fatalf("DeleteOptOut = %v, %v; want removed", removed, err)
		}
		removed, err = s.DeleteOptOut(ctx, "AW1", "AREQ1")
		if err != nil || removed {
			t.Fatalf("second DeleteOptOut = %v, %v; want nothing removed, no error", removed, err)
		}
		if _, err := s.OptOut(ctx, "AW1", "AREQ1"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("OptOut after DeleteOptOut = %v, want ErrNotFound", err)
		}
	})
}

// Two one-click POSTs arriving at once (a mail provider and the worker's click) both succeed
// and leave one row: on PostgreSQL a unique violation would abort the loser's transaction.
func TestOptOutConcurrentRepeats(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		seed.Requester("AREQ1", "Lab One", "")
		seed.Worker("AW1", "w1@example.org")
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		createdCount := make(chan bool, 8)
		for range 8 {
			wg.Go(func() {
				c, err := s.PutOptOut(context.Background(), turkmail.OptOut{WorkerID: "AW1", RequesterID: "AREQ1", CreatedAt: time.Now()})
				errs <- err
				createdCount <- c
			})
		}
		wg.Wait()
		close(errs)
		close(createdCount)
		for err := range errs {
			if err != nil {
				t.Errorf("concurrent PutOptOut: %v", err)
			}
		}
		n := 0
		for c := range createdCount {
			if c {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d calls reported creating the row, want exactly 1", n)
		}
	})
}
