package storetest_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// Concurrent accepts never take more slots than the HIT has.
func TestAssignmentsConcurrentAccept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		h := storetest.SeedHIT(t, f.svc, f.r1, 3)
		var wg sync.WaitGroup
		var mu sync.Mutex
		accepted := 0
		for i := range 12 {
			id := fmt.Sprintf("ARACE%d", i)
			f.svc.AddWorker(ctx, id, strings.ToLower(id)+"@example.org", "")
			wg.Go(func() {
				if _, err := f.svc.AcceptAssignment(ctx, h.ID, id); err == nil {
					mu.Lock()
					accepted++
					mu.Unlock()
				} else if e := turkmail.AsError(err); e.Code != turkmail.CodeRequestError {
					t.Errorf("accept: %v", err)
				}
			})
		}
		wg.Wait()
		if accepted != 3 {
			t.Fatalf("%d accepts succeeded on a HIT with 3 assignments", accepted)
		}
	})
}

// Concurrent approvals of one assignment: exactly one succeeds, the others are told it is
// already approved; eligibility is recorded once.
func TestAssignmentsConcurrentApprove(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		f.svc.AddWorker(ctx, "AONCE", "once@example.org", "")
		h := storetest.SeedHIT(t, f.svc, f.r1, 1)
		a, err := f.svc.AcceptAssignment(ctx, h.ID, "AONCE")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.SubmitAssignment(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() { errs <- f.svc.ApproveAssignment(ctx, f.r1, a.ID, nil, false) })
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case !strings.Contains(turkmail.AsError(err).Message, "already approved"):
				t.Errorf("losing approval: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d approvals succeeded, want 1", ok)
		}
		if r, _ := s.ReviewedWorkers(ctx, f.r1, []string{"AONCE"}); !r["AONCE"] {
			t.Fatal("approved worker not eligible")
		}
	})
}

// The state rules, step by step, with the Service's clock moved by hand.
func TestAssignmentsTransitions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		for _, w := range []string{"AONE", "ATWO", "ALATE"} {
			f.svc.AddWorker(ctx, w, strings.ToLower(w)+"@example.org", "")
		}
		h := storetest.SeedHIT(t, f.svc, f.r1, 3) // assignment duration 1 h, lifetime 1 day
		a1, _ := f.svc.AcceptAssignment(ctx, h.ID, "AONE")
		a2, _ := f.svc.AcceptAssignment(ctx, h.ID, "ATWO")
		late, _ := f.svc.AcceptAssignment(ctx, h.ID, "ALATE")
		fb := "Wrong answers"
		steps := []struct {
			name    string
			advance time.Duration
			do      func() error
			wantErr string
		}{
			{"reject unsubmitted", 0, func() error { return f.svc.RejectAssignment(ctx, f.r1, a1.ID, &fb) }, "not been submitted"},
			{"submit", time.Minute, func() error { _, err := f.svc.SubmitAssignment(ctx, a1.ID, ""); return err }, ""},
			{"submit twice", 0, func() error { _, err := f.svc.SubmitAssignment(ctx, a1.ID, ""); return err }, "already submitted"},
			{"submit bad XML", 0, func() error { _, err := f.svc.SubmitAssignment(ctx, a2.ID, "<QuestionFormAnswers>"); return err }, "not well-formed"},
			{"submit other root", 0, func() error { _, err := f.svc.SubmitAssignment(ctx, a2.ID, "<Answers/>"); return err }, "QuestionFormAnswers"},
			{"submit a2", 0, func() error { _, err := f.svc.SubmitAssignment(ctx, a2.ID, ""); return err }, ""},
			{"submit after deadline", 2 * time.Hour, func() error { _, err := f.svc.SubmitAssignment(ctx, late.ID, ""); return err }, "abandoned"},
			{"another requester approves", 0, func() error { return f.svc.ApproveAssignment(ctx, f.r2, a1.ID, nil, false) }, "does not exist"},
			{"reject", 0, func() error { return f.svc.RejectAssignment(ctx, f.r1, a1.ID, &fb) }, ""},
			{"reject twice", 0, func() error { return f.svc.RejectAssignment(ctx, f.r1, a1.ID, &fb) }, "already rejected"},
			{"reject a2", 0, func() error { return f.svc.RejectAssignment(ctx, f.r1, a2.ID, &fb) }, ""},
			{"override within 30 days", 29 * 24 * time.Hour, func() error { return f.svc.ApproveAssignment(ctx, f.r1, a2.ID, nil, true) }, ""},
			{"override after 30 days", 2 * 24 * time.Hour, func() error { return f.svc.ApproveAssignment(ctx, f.r1, a1.ID, nil, true) }, "more than 30 days"},
		}
		for _, st := range steps {
			f.now = f.now.Add(st.advance)
			err := st.do()
			switch {
			case st.wantErr == "" && err != nil:
				t.Fatalf("%s: %v", st.name, err)
			case st.wantErr != "" && (err == nil || turkmail.AsError(err).Code != turkmail.CodeRequestError || !strings.Contains(turkmail.AsError(err).Message, st.wantErr)):
				t.Fatalf("%s: got %v, want a RequestError mentioning %q", st.name, err, st.wantErr)
			}
		}
	})
}

// AutoApprove takes due rows only, in batches of the limit, and records eligibility.
func TestAssignmentsAutoApproveStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newHistory(t, s)
		h := storetest.SeedHIT(t, f.svc, f.r1, 5)
		for i := range 5 {
			id := fmt.Sprintf("ADUE%d", i)
			f.svc.AddWorker(ctx, id, strings.ToLower(id)+"@example.org", "")
			a, err := f.svc.AcceptAssignment(ctx, h.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.svc.SubmitAssignment(ctx, a.ID, ""); err != nil {
				t.Fatal(err)
			}
			f.now = f.now.Add(time.Minute)
		}
		due := f.now.Add(turkmail.DefaultAutoApprovalDelay - 3*time.Minute) // the first three
		for _, want := range []int{2, 1, 0} {
			if n, err := s.AutoApprove(ctx, due, 2); err != nil || n != want {
				t.Fatalf("AutoApprove = %d, %v; want %d", n, err, want)
			}
		}
		r, _ := s.ReviewedWorkers(ctx, f.r1, []string{"ADUE0", "ADUE1", "ADUE2", "ADUE3", "ADUE4"})
		if fmt.Sprint(r) != "map[ADUE0:true ADUE1:true ADUE2:true]" {
			t.Fatalf("eligible after auto-approval: %v", r)
		}
	})
}
