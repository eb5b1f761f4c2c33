package storetest_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

func TestWorkersPut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		w := turkmail.Worker{ID: "AW1", Email: "ann@example.org", Name: "Ann", CreatedAt: at}
		steps := []struct {
			name        string
			put         turkmail.Worker
			wantChanged bool
			want        turkmail.Worker
		}{
			{"insert", w, true, w},
			{"same again", turkmail.Worker{ID: "AW1", Email: "ann@example.org", Name: "Ann", CreatedAt: at.Add(time.Hour)}, false, w},
			{"new address keeps CreatedAt", turkmail.Worker{ID: "AW1", Email: "ann@example.com", Name: "Ann", CreatedAt: at.Add(time.Hour)}, true,
				turkmail.Worker{ID: "AW1", Email: "ann@example.com", Name: "Ann", CreatedAt: at}},
			{"new name", turkmail.Worker{ID: "AW1", Email: "ann@example.com", Name: "Ann B", CreatedAt: at}, true,
				turkmail.Worker{ID: "AW1", Email: "ann@example.com", Name: "Ann B", CreatedAt: at}},
		}
		for _, st := range steps {
			changed, err := s.PutWorker(ctx, st.put)
			if err != nil || changed != st.wantChanged {
				t.Fatalf("%s: PutWorker = %v, %v; want changed=%v", st.name, changed, err, st.wantChanged)
			}
			got, err := s.Worker(ctx, "AW1")
			if err != nil || got != st.want {
				t.Fatalf("%s: Worker = %+v, %v; want %+v", st.name, got, err, st.want)
			}
		}
		if _, err := s.Worker(ctx, "ANOPE"); !errors.Is(err, turkmail.ErrNotFound) {
			t.Fatalf("unknown worker: %v", err)
		}
		for i := range 5 {
			s.PutWorker(ctx, turkmail.Worker{ID: fmt.Sprintf("AX%d", i), Email: "x@example.org", CreatedAt: at})
		}
		page, err := s.ListWorkers(ctx, "AX1", 2)
		if err != nil || len(page) != 2 || page[0].ID != "AX2" || page[1].ID != "AX3" {
			t.Fatalf("ListWorkers after AX1 = %+v, %v", page, err)
		}
	})
}

func TestWorkersReviewed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		svc, err := turkmail.NewService(s, turkmail.Options{})
		if err != nil {
			t.Fatal(err)
		}
		r1, _ := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "One"})
		r2, _ := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "Two"})
		storetest.SeedReviewedWorker(t, s, svc, r1.RequesterID, "AAPPROVED", "a@example.org", true)
		storetest.SeedReviewedWorker(t, s, svc, r1.RequesterID, "AREJECTED", "r@example.org", false)
		storetest.SeedReviewedWorker(t, s, svc, r2.RequesterID, "AOTHER", "o@example.org", true)
		// Submitted but not reviewed: not eligible.
		svc.AddWorker(ctx, "ASUBMITTED", "s@example.org", "")
		h := storetest.SeedHIT(t, svc, r1.RequesterID, 1)
		a, err := svc.AcceptAssignment(ctx, h.ID, "ASUBMITTED")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SubmitAssignment(ctx, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		ids := []string{"AAPPROVED", "AREJECTED", "AOTHER", "ASUBMITTED", "AUNKNOWN"}
		tests := []struct {
			requester string
			want      map[string]bool
		}{
			{r1.RequesterID, map[string]bool{"AAPPROVED": true, "AREJECTED": true}},
			{r2.RequesterID, map[string]bool{"AOTHER": true}},
			{"ANOBODY", map[string]bool{}},
		}
		for _, tt := range tests {
			got, err := s.ReviewedWorkers(ctx, tt.requester, ids)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("ReviewedWorkers(%s) = %v, %v; want %v", tt.requester, got, err, tt.want)
			}
		}
		if got, err := s.ReviewedWorkers(ctx, r1.RequesterID, nil); err != nil || len(got) != 0 {
			t.Errorf("no ids: %v, %v", got, err)
		}
		many := make([]string, 101)
		for i := range many {
			many[i] = fmt.Sprintf("A%d", i)
		}
		if _, err := s.ReviewedWorkers(ctx, r1.RequesterID, many); err == nil {
			t.Error("101 ids: want an error")
		}
	})
}

func TestWorkersImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		svc, err := turkmail.NewService(s, turkmail.Options{})
		if err != nil {
			t.Fatal(err)
		}
		const file = "\ufeffEmail,WorkerId,Name\n" +
			"ann@example.org,AANN,Ann\n" +
			"bob@example.org,bob,Bob\n" +
			"not an address,ACAT,\n" +
			"Dee <dee@example.org>,ADEE\n" +
			"\n" +
			"\"broken,AEVE\n"
		res, err := svc.ImportWorkers(ctx, strings.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for _, p := range res.Problems {
			lines = append(lines, fmt.Sprint(p.Line))
		}
		if res.Added != 2 || res.Updated != 0 || res.Unchanged != 0 || strings.Join(lines, ",") != "3,4,7" {
			t.Fatalf("first import: %+v", res)
		}
		if !strings.Contains(res.Problems[0].Reason, `"bob"`) || !strings.Contains(res.Problems[1].Reason, "not a valid email address") {
			t.Fatalf("reasons: %+v", res.Problems)
		}
		if w, _ := s.Worker(ctx, "ADEE"); w.Email != "dee@example.org" || w.Name != "Dee" {
			t.Fatalf("ADEE = %+v", w)
		}
		again, err := svc.ImportWorkers(ctx, strings.NewReader(file))
		if err != nil || again.Added != 0 || again.Updated != 0 || again.Unchanged != 2 {
			t.Fatalf("re-import changed something: %+v, %v", again, err)
		}
		changed, _ := svc.ImportWorkers(ctx, strings.NewReader("WorkerId,Email\nAANN,ann@example.com\n"))
		if changed.Updated != 1 {
			t.Fatalf("new address: %+v", changed)
		}
		if _, err := svc.ImportWorkers(ctx, strings.NewReader("Id,Mail\nAX,x@example.org\n")); err == nil {
			t.Fatal("a header without WorkerId and Email: want an error")
		}
	})
}
