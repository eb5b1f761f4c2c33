package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// historyFixture is a store with two requesters and a settable clock.
type historyFixture struct {
	s      *sqlstore.Store
	svc    *turkmail.Service
	now    time.Time
	r1, r2 string
}

func newHistory(t *testing.T, s *sqlstore.Store) *historyFixture {
	t.Helper()
	f := &historyFixture{s: s, now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	svc, err := turkmail.NewService(s, turkmail.Options{Now: func() time.Time { return f.now }})
	if err != nil {
		t.Fatal(err)
	}
	f.svc = svc
	ctx := context.Background()
	for _, r := range []*string{&f.r1, &f.r2} {
		c, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "R"})
		if err != nil {
			t.Fatal(err)
		}
		*r = c.RequesterID
	}
	return f
}

func TestHITsStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		typ := turkmail.HITType{ID: "3TYPEA", RequesterID: f.r1, Fingerprint: "fp", Title: "T", Description: "D",
			RewardCents: 125, AssignmentDuration: time.Hour, AutoApprovalDelay: time.Minute, CreatedAt: f.now,
			QualificationRequirements: []turkmail.QualificationRequirement{{QualificationTypeId: "Q1", Comparator: "Exists"}}}
		got, err := s.PutHITType(ctx, typ)
		if err != nil || fmt.Sprint(got) != fmt.Sprint(typ) {
			t.Fatalf("PutHITType = %+v, %v", got, err)
		}
		again := typ
		again.ID = "3TYPEB"
		if got, err := s.PutHITType(ctx, again); err != nil || got.ID != "3TYPEA" {
			t.Fatalf("same fingerprint: got %s, %v; want the first type", got.ID, err)
		}
		if _, err := s.HITType(ctx, f.r2, "3TYPEA"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("another requester's type: %v", err)
		}
		for i := range 5 {
			h := turkmail.HIT{ID: fmt.Sprintf("3HIT%d", i), RequesterID: f.r1, Type: got, HITGroupID: got.ID, Question: "<q/>",
				MaxAssignments: 1, Expiration: f.now.Add(time.Hour), ReviewStatus: "NotReviewed", CreatedAt: f.now.Add(time.Duration(i%2) * time.Second)}
			if i == 0 {
				h.UniqueRequestToken = "tok"
			}
			if err := s.CreateHIT(ctx, h, f.now.Add(-time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		dup := turkmail.HIT{ID: "3HITDUP", RequesterID: f.r1, Type: got, UniqueRequestToken: "tok", MaxAssignments: 1, CreatedAt: f.now}
		if err := s.CreateHIT(ctx, dup, f.now.Add(-time.Millisecond)); !errors.Is(err, turkmail.ErrDuplicate) {
			t.Fatalf("same token: %v, want ErrDuplicate", err)
		}
		if id, err := s.HITIDByToken(ctx, f.r1, "tok"); err != nil || id != "3HIT0" {
			t.Fatalf("HITIDByToken = %s, %v", id, err)
		}
		if _, err := s.HIT(ctx, f.r2, "3HIT0", f.now); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("another requester's HIT: %v", err)
		}
		// (CreatedAt, ID) order: 0, 2, 4 at now; 1, 3 a second later.
		var order []string
		q := turkmail.HITQuery{Now: f.now, Page: turkmail.Page{Limit: 2}}
		for {
			page, err := s.ListHITs(ctx, f.r1, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range page {
				order = append(order, h.ID)
			}
			if len(page) < 2 {
				break
			}
			last := page[len(page)-1]
			q.Page.After = turkmail.Cursor{At: last.CreatedAt, ID: last.ID}
		}
		if fmt.Sprint(order) != "[3HIT0 3HIT2 3HIT4 3HIT1 3HIT3]" {
			t.Fatalf("ListHITs order %v", order)
		}
		if err := s.UpdateHITExpiration(ctx, f.r1, "3HIT1", f.now); err != nil {
			t.Fatal(err)
		}
		listed := func(status string) string {
			t.Helper()
			hits, err := s.ListHITs(ctx, f.r1, turkmail.HITQuery{Status: status, Now: f.now, Page: turkmail.Page{Limit: 10}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, h := range hits {
				ids = append(ids, h.ID+":"+h.Status(f.now))
			}
			return fmt.Sprint(ids)
		}
		if got := listed(turkmail.HITReviewable); got != "[3HIT1:Reviewable]" {
			t.Fatalf("reviewable: %v", got)
		}
		for _, tc := range []struct {
			requester, hit string
			reviewing      bool
			want           error
		}{
			{f.r1, "3HIT2", true, turkmail.ErrConflict},  // Assignable
			{f.r2, "3HIT1", true, turkmail.ErrNotFound},  // another requester's
			{f.r1, "3HIT1", false, turkmail.ErrConflict}, // not Reviewing yet
			{f.r1, "3HIT1", true, nil},
			{f.r1, "3HIT1", true, turkmail.ErrConflict}, // already Reviewing
		} {
			if err := s.SetHITReviewing(ctx, tc.requester, tc.hit, tc.reviewing, f.now); !errors.Is(err, tc.want) || (err == nil) != (tc.want == nil) {
				t.Fatalf("SetHITReviewing(%s, %v) = %v, want %v", tc.hit, tc.reviewing, err, tc.want)
			}
		}
		if got := listed(turkmail.HITReviewing); got != "[3HIT1:Reviewing]" {
			t.Fatalf("reviewing: %v", got)
		}
		if got := listed(turkmail.HITReviewable); got != "[]" {
			t.Fatalf("reviewable while the only one is Reviewing: %v", got)
		}
		// The mark is the requester's until reverted: it shows whenever the HIT is
		// otherwise Reviewable, not while it is open again.
		if err := s.UpdateHITExpiration(ctx, f.r1, "3HIT1", f.now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if h, err := s.HIT(ctx, f.r1, "3HIT1", f.now); err != nil || h.Status(f.now) != turkmail.HITAssignable {
			t.Fatalf("extended: %+v, %v", h, err)
		}
		if err := s.SetHITReviewing(ctx, f.r1, "3HIT1", false, f.now); !errors.Is(err, turkmail.ErrConflict) {
			t.Fatalf("revert an Assignable HIT: %v", err)
		}
		if err := s.UpdateHITExpiration(ctx, f.r1, "3HIT1", f.now); err != nil || listed(turkmail.HITReviewing) != "[3HIT1:Reviewing]" {
			t.Fatalf("expired again: %v, %s", err, listed(turkmail.HITReviewing))
		}
		if err := s.DisposeHIT(ctx, f.r1, "3HIT2", f.now); !errors.Is(err, turkmail.ErrConflict) {
			t.Fatalf("dispose an assignable HIT: %v", err)
		}
		if err := s.DisposeHIT(ctx, f.r2, "3HIT1", f.now); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("dispose another requester's HIT: %v", err)
		}
		if err := s.DisposeHIT(ctx, f.r1, "3HIT1", f.now); err != nil {
			t.Fatalf("dispose a Reviewing HIT: %v", err)
		}
		if err := s.SetHITReviewing(ctx, f.r1, "3HIT1", false, f.now); !errors.Is(err, turkmail.ErrConflict) {
			t.Fatalf("revert a disposed HIT: %v", err)
		}
		if err := s.UpdateHITExpiration(ctx, f.r1, "3HIT1", f.now.Add(time.Hour)); !errors.Is(err, turkmail.ErrConflict) {
			t.Fatalf("extend a disposed HIT: %v", err)
		}
		all, _ := s.ListHITs(ctx, f.r1, turkmail.HITQuery{Now: f.now, Page: turkmail.Page{Limit: 10}})
		if len(all) != 4 {
			t.Fatalf("ListHITs shows disposed HITs: %d", len(all))
		}
	})
}

// A UniqueRequestToken counts only on HITs created after tokensSince; CreateHIT takes an
// older one over, and the older HIT stays.
func TestHITTokenLifetimeStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		typ, err := s.PutHITType(ctx, turkmail.HITType{ID: "3TYPET", RequesterID: f.r1, Fingerprint: "fp", Title: "T",
			Description: "D", AssignmentDuration: time.Hour, AutoApprovalDelay: time.Minute, CreatedAt: f.now})
		if err != nil {
			t.Fatal(err)
		}
		hit := func(id, requester string, at time.Time) turkmail.HIT {
			return turkmail.HIT{ID: id, RequesterID: requester, Type: typ, HITGroupID: typ.ID, Question: "<q/>", UniqueRequestToken: "tok",
				MaxAssignments: 1, Expiration: at.Add(time.Hour), ReviewStatus: "NotReviewed", CreatedAt: at}
		}
		day := f.now.Add(24 * time.Hour)
		for _, tc := range []struct {
			h           turkmail.HIT
			tokensSince time.Time
			dup         bool
			holder      string
		}{
			{hit("3TOK1", f.r1, f.now), f.now.Add(-time.Hour), false, "3TOK1"},
			{hit("3TOK2", f.r1, f.now.Add(time.Hour)), f.now.Add(-time.Millisecond), true, "3TOK1"},
			{hit("3TOK3", f.r1, day), f.now, false, "3TOK3"},
			{hit("3TOK4", f.r1, day), f.now, true, "3TOK3"},
			{hit("3TOK5", f.r2, day), day, false, "3TOK3"},
		} {
			err := s.CreateHIT(ctx, tc.h, tc.tokensSince)
			if errors.Is(err, turkmail.ErrDuplicate) != tc.dup || (err != nil && !tc.dup) {
				t.Fatalf("CreateHIT(%s, since %s) = %v, want duplicate=%v", tc.h.ID, tc.tokensSince.Sub(f.now), err, tc.dup)
			}
			if id, err := s.HITIDByToken(ctx, f.r1, "tok"); err != nil || id != tc.holder {
				t.Fatalf("after %s: the token is on %s, %v; want %s", tc.h.ID, id, err, tc.holder)
			}
		}
		if _, err := s.HIT(ctx, f.r1, "3TOK1", f.now); err != nil {
			t.Fatalf("the token's first HIT is gone: %v", err)
		}
	})
}

func TestBlocksStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		for _, w := range []string{"AB3", "AB1", "AB2"} {
			if err := s.PutBlock(ctx, turkmail.Block{RequesterID: f.r1, WorkerID: w, Reason: "first", CreatedAt: f.now}); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.PutBlock(ctx, turkmail.Block{RequesterID: f.r1, WorkerID: "AB1", Reason: "second", CreatedAt: f.now}); err != nil {
			t.Fatal(err)
		}
		page, err := s.ListBlocks(ctx, f.r1, turkmail.Page{Limit: 2})
		if err != nil || len(page) != 2 || page[0].WorkerID != "AB1" || page[0].Reason != "second" || page[1].WorkerID != "AB2" {
			t.Fatalf("ListBlocks = %+v, %v", page, err)
		}
		if rest, _ := s.ListBlocks(ctx, f.r1, turkmail.Page{After: turkmail.Cursor{ID: "AB2"}, Limit: 2}); len(rest) != 1 || rest[0].WorkerID != "AB3" {
			t.Fatalf("second page: %+v", rest)
		}
		if b, _ := s.Blocked(ctx, f.r2, "AB1"); b {
			t.Fatal("a block of one requester applies to another")
		}
		for range 2 {
			if err := s.DeleteBlock(ctx, f.r1, "AB1"); err != nil {
				t.Fatal(err)
			}
		}
		if b, _ := s.Blocked(ctx, f.r1, "AB1"); b {
			t.Fatal("still blocked after DeleteBlock")
		}
	})
}
