package storetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

func TestRequesters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		r := turkmail.Requester{ID: "AREQ1", Name: "Lab Ü", ContactEmail: "lab@example.org", BalanceCents: 1000000, CreatedAt: now}
		key := turkmail.AccessKey{ID: "AKIA1", RequesterID: r.ID, Secret: "plain:s1", CreatedAt: now}
		if err := s.CreateRequester(ctx, r, key); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateRequester(ctx, r, turkmail.AccessKey{ID: "AKIA9", RequesterID: r.ID, Secret: "x", CreatedAt: now}); !errors.Is(err, turkmail.ErrDuplicate) {
			t.Fatalf("second create: got %v, want ErrDuplicate", err)
		}
		got, err := s.Requester(ctx, r.ID)
		if err != nil || got != r {
			t.Fatalf("Requester = %+v, %v; want %+v", got, err, r)
		}
		if _, err := s.Requester(ctx, "ANOPE"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("unknown requester: %v", err)
		}
		k, err := s.AccessKey(ctx, "AKIA1")
		if err != nil || k != key {
			t.Fatalf("AccessKey = %+v, %v", k, err)
		}
		next := turkmail.AccessKey{ID: "AKIA2", RequesterID: r.ID, Secret: "plain:s2", CreatedAt: now.Add(time.Hour)}
		if err := s.ReplaceAccessKey(ctx, r.ID, next); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AccessKey(ctx, "AKIA1"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("old key after rotation: %v, want ErrNotFound", err)
		}
		if k, err := s.AccessKey(ctx, "AKIA2"); err != nil || k != next {
			t.Fatalf("new key = %+v, %v", k, err)
		}
		if err := s.ReplaceAccessKey(ctx, "ANOPE", turkmail.AccessKey{ID: "AKIA3", RequesterID: "ANOPE", CreatedAt: now}); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("rotate unknown requester: %v", err)
		}
		list, err := s.ListRequesters(ctx)
		if err != nil || len(list) != 1 || list[0] != r {
			t.Fatalf("ListRequesters = %+v, %v", list, err)
		}
	})
}

func TestMigrateTwiceIsANoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate applied %v, %v; want nothing", applied, err)
		}
	})
}
