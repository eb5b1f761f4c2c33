package turkmail_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

const noWork = "Cannot send a notification to a worker who has not done any work for you"

// testClock is a settable clock for the Service.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// notifyFixture is a requester with workers in every situation DESIGN §2 names.
type notifyFixture struct {
	svc   *turkmail.Service
	store *sqlstore.Store
	clock *testClock
	req   string
}

func newNotifyFixture(t *testing.T, s turkmail.Store, raw *sqlstore.Store, seed *storetest.Seeder, o turkmail.Options) *notifyFixture {
	t.Helper()
	ctx := context.Background()
	clock := &testClock{t: time.Now().UTC().Truncate(time.Millisecond)}
	o.Now = clock.Now
	svc, err := turkmail.NewService(s, o)
	if err != nil {
		t.Fatal(err)
	}
	creq, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "Vision Lab", BalanceCents: 100000})
	if err != nil {
		t.Fatal(err)
	}
	cother, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "Other Lab", BalanceCents: 100000})
	if err != nil {
		t.Fatal(err)
	}
	req, other := creq.RequesterID, cother.RequesterID
	storetest.SeedReviewedWorker(t, raw, svc, req, "AAPPROVED", "approved@example.org", true)
	storetest.SeedReviewedWorker(t, raw, svc, req, "AREJECTED", "rejected@example.org", false)
	storetest.SeedReviewedWorker(t, raw, svc, other, "AOTHER", "other@example.org", true)
	storetest.SeedReviewedWorker(t, raw, svc, req, "AOPTED", "opted@example.org", true)
	storetest.SeedReviewedWorker(t, raw, svc, req, "ABOUNCE", "Bounce@Example.org", true)
	storetest.SeedReviewedWorker(t, raw, svc, req, "AUNICODE", "Ünïcode@example.org", true)
	storetest.SeedReviewedWorker(t, raw, svc, req, "ACAP", "cap@example.org", true)
	seed.Worker("ANOWORK", "nowork@example.org")
	seed.OptOut("AOPTED", req)
	seed.Suppress(turkmail.SuppressionKey("Bounce@Example.org"), "550 5.1.1 no such user")
	seed.Suppress(turkmail.SuppressionKey("Ünïcode@example.org"), "550 5.1.1 no such user")
	// Submitted but never reviewed: not eligible.
	if _, _, err := svc.AddWorker(ctx, "APENDING", "pending@example.org", ""); err != nil {
		t.Fatal(err)
	}
	h := storetest.SeedHIT(t, svc, req, 1)
	a, err := svc.AcceptAssignment(ctx, h.ID, "APENDING")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SubmitAssignment(ctx, a.ID, ""); err != nil {
		t.Fatal(err)
	}
	return &notifyFixture{svc: svc, store: raw, clock: clock, req: req}
}

func (f *notifyFixture) notify(t *testing.T, invocation string, ids ...string) (turkmail.NotifyResult, error) {
	t.Helper()
	return f.svc.NotifyWorkers(context.Background(), turkmail.NotifyInput{RequesterID: f.req, InvocationID: invocation,
		Subject: "New HITs for you", MessageText: "We posted 40 new HITs.\nThanks!", WorkerIDs: ids})
}

// queued returns the worker ids with a delivery of notification id, checking each row is
// queued, due at once, with the delivery's stable Message-ID.
func (f *notifyFixture) queued(t *testing.T, id string) []string {
	t.Helper()
	recs, err := f.store.ListDeliveryRecords(context.Background(), turkmail.DeliveryFilter{NotificationID: id, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		if r.State != turkmail.DeliveryQueued || r.MessageID != turkmail.MessageID(id, r.WorkerID) || r.RequesterID != f.req || !r.DueAt.Equal(r.CreatedAt) {
			t.Errorf("delivery %+v: want queued, due at creation, Message-ID %s", r.Delivery, turkmail.MessageID(id, r.WorkerID))
		}
		out = append(out, r.WorkerID)
	}
	return sorted(out)
}

func (f *notifyFixture) totalDeliveries(t *testing.T) int {
	t.Helper()
	counts, err := f.store.CountDeliveries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		n += c
	}
	return n
}

func sorted(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func failuresString(fs []turkmail.NotifyFailure) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s %s: %s\n", f.WorkerID, f.Code, f.Message)
	}
	return b.String()
}

func TestNotifyWorkersRules(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		f := newNotifyFixture(t, s, s, seed, turkmail.Options{NotifyRate: -1})
		hard := func(id, msg string) turkmail.NotifyFailure {
			return turkmail.NotifyFailure{Code: "HardFailure", Message: msg, WorkerID: id}
		}
		tests := []struct {
			name     string
			ids      []string
			failures []turkmail.NotifyFailure
			queued   []string
		}{
			{"approved and rejected work both make a worker eligible", []string{"AAPPROVED", "AREJECTED"}, nil, []string{"AAPPROVED", "AREJECTED"}},
			{"unknown, never worked, another requester's, not yet reviewed: MTurk's words for all",
				[]string{"AUNKNOWN", "ANOWORK", "AOTHER", "APENDING", "AAPPROVED"},
				[]turkmail.NotifyFailure{hard("AUNKNOWN", noWork), hard("ANOWORK", noWork), hard("AOTHER", noWork), hard("APENDING", noWork)},
				[]string{"AAPPROVED"}},
			{"opted out", []string{"AOPTED"}, []turkmail.NotifyFailure{hard("AOPTED", "The worker has opted out of email from you")}, nil},
			{"suppressed address, in any case, ASCII or not", []string{"ABOUNCE", "AUNICODE"},
				[]turkmail.NotifyFailure{hard("ABOUNCE", "The worker's email address does not accept mail"),
					hard("AUNICODE", "The worker's email address does not accept mail")}, nil},
			{"duplicates collapse; statuses in order of first appearance",
				[]string{"AUNKNOWN2", "AREJECTED", "AUNKNOWN2", "ANOWORK", "AREJECTED", "AUNKNOWN2"},
				[]turkmail.NotifyFailure{hard("AUNKNOWN2", noWork), hard("ANOWORK", noWork)}, []string{"AREJECTED"}},
			{"every worker failing still makes a notification, with no deliveries", []string{"AUNKNOWN"},
				[]turkmail.NotifyFailure{hard("AUNKNOWN", noWork)}, nil},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				before := f.totalDeliveries(t)
				res, err := f.notify(t, "", tc.ids...)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := failuresString(res.Failures), failuresString(tc.failures); got != want {
					t.Fatalf("failures:\n%s\nwant:\n%s", got, want)
				}
				if res.NotificationID == "" || res.Replayed {
					t.Fatalf("result %+v: want a fresh notification id", res)
				}
				if got := f.queued(t, res.NotificationID); fmt.Sprint(got) != fmt.Sprint(sorted(tc.queued)) {
					t.Fatalf("queued %v, want %v", got, tc.queued)
				}
				if after := f.totalDeliveries(t); after-before != len(tc.queued) {
					t.Fatalf("%d deliveries added, want %d", after-before, len(tc.queued))
				}
				if _, err := f.store.NotificationReport(context.Background(), f.req, res.NotificationID); err != nil {
					t.Fatalf("notification %s not stored: %v", res.NotificationID, err)
				}
				var body map[string][]turkmail.NotifyFailure
				if err := json.Unmarshal(res.Response, &body); err != nil || len(body) != 1 || body["NotifyWorkersFailureStatuses"] == nil {
					t.Fatalf("response %s: want exactly NotifyWorkersFailureStatuses, a list", res.Response)
				}
			})
		}

		t.Run("the cap: 10 per 24h by default, then SoftFailure until the window moves on", func(t *testing.T) {
			for i := range turkmail.DefaultNotifyCap {
				res, err := f.notify(t, "", "ACAP")
				if err != nil || len(res.Failures) != 0 {
					t.Fatalf("call %d: %v %v", i+1, res.Failures, err)
				}
				f.clock.Advance(time.Minute)
			}
			res, err := f.notify(t, "", "ACAP", "AREJECTED")
			if err != nil {
				t.Fatal(err)
			}
			want := "ACAP SoftFailure: You have sent this worker the maximum of 10 notifications in 24 hours; try again later\n"
			if got := failuresString(res.Failures); got != want {
				t.Fatalf("failures %q, want %q", got, want)
			}
			if got := f.queued(t, res.NotificationID); fmt.Sprint(got) != "[AREJECTED]" {
				t.Fatalf("queued %v, want only AREJECTED", got)
			}
			// The first of the ten leaves the window: one more goes through.
			f.clock.Advance(24*time.Hour - 10*time.Minute + time.Millisecond)
			if res, err := f.notify(t, "", "ACAP"); err != nil || len(res.Failures) != 0 {
				t.Fatalf("after the window: %v %v", failuresString(res.Failures), err)
			}
			if res, err := f.notify(t, "", "ACAP"); err != nil || len(res.Failures) != 1 || res.Failures[0].Code != "SoftFailure" {
				t.Fatalf("right after: %v %v, want SoftFailure", failuresString(res.Failures), err)
			}
		})

		t.Run("idempotency: a repeated invocation id replays the first answer and queues nothing", func(t *testing.T) {
			first, err := f.notify(t, "inv-1", "AAPPROVED", "AUNKNOWN")
			if err != nil || first.Replayed {
				t.Fatal(first, err)
			}
			before := f.totalDeliveries(t)
			f.clock.Advance(23 * time.Hour)
			again, err := f.notify(t, "inv-1", "AAPPROVED", "AUNKNOWN")
			if err != nil || !again.Replayed || again.NotificationID != first.NotificationID || string(again.Response) != string(first.Response) ||
				failuresString(again.Failures) != failuresString(first.Failures) {
				t.Fatalf("replay %+v (%v), want the first answer %+v", again, err, first)
			}
			// The replay answers whatever the body: the key is the invocation id.
			if other, err := f.notify(t, "inv-1", "AREJECTED"); err != nil || other.NotificationID != first.NotificationID {
				t.Fatalf("replay with another body: %+v %v", other, err)
			}
			if after := f.totalDeliveries(t); after != before {
				t.Fatalf("replays queued %d deliveries", after-before)
			}
			// Another invocation id with the same content is a new notification.
			fresh, err := f.notify(t, "inv-2", "AAPPROVED", "AUNKNOWN")
			if err != nil || fresh.Replayed || fresh.NotificationID == first.NotificationID {
				t.Fatalf("new invocation id: %+v %v", fresh, err)
			}
			// Past 24 hours the first record is ignored and replaced.
			f.clock.Advance(time.Hour + time.Millisecond)
			late, err := f.notify(t, "inv-1", "AAPPROVED")
			if err != nil || late.Replayed || late.NotificationID == first.NotificationID {
				t.Fatalf("after 24h: %+v %v, want a new notification", late, err)
			}
			if again, err := f.notify(t, "inv-1", "AAPPROVED"); err != nil || again.NotificationID != late.NotificationID {
				t.Fatalf("replay of the replaced record: %+v %v", again, err)
			}
			// A day later every record is stale, and the periodic purge takes them.
			f.clock.Advance(turkmail.InvocationTTL + time.Millisecond)
			n, err := f.svc.PurgeInvocations(context.Background())
			if err != nil || n != 2 {
				t.Fatalf("PurgeInvocations = %d, %v; want the stale records gone", n, err)
			}
		})

		t.Run("concurrent duplicates: the unique key decides, the losers replay", func(t *testing.T) {
			before := f.totalDeliveries(t)
			var wg sync.WaitGroup
			ids := make([]string, 8)
			errs := make([]error, 8)
			for i := range ids {
				wg.Go(func() {
					res, err := f.notify(t, "inv-race", "AAPPROVED", "AREJECTED")
					ids[i], errs[i] = res.NotificationID, err
				})
			}
			wg.Wait()
			for i := range ids {
				if errs[i] != nil || ids[i] != ids[0] {
					t.Fatalf("call %d: %s %v; want %s", i, ids[i], errs[i], ids[0])
				}
			}
			if after := f.totalDeliveries(t); after-before != 2 {
				t.Fatalf("%d deliveries queued, want 2", after-before)
			}
		})

		t.Run("a refused request queues nothing", func(t *testing.T) {
			before := f.totalDeliveries(t)
			_, err := f.notify(t, "inv-bad", "AAPPROVED", "lower")
			var e *turkmail.Error
			if !errors.As(err, &e) || e.Code != turkmail.CodeRequestError || e.TurkErrorCode != turkmail.TurkInvalidWorkerID {
				t.Fatalf("err = %v, want RequestError %s", err, turkmail.TurkInvalidWorkerID)
			}
			if after := f.totalDeliveries(t); after != before {
				t.Fatal("a refused request queued deliveries")
			}
		})
	})
}

func TestNotifyWorkersThrottling(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		f := newNotifyFixture(t, s, s, seed, turkmail.Options{NotifyRate: 1, NotifyBurst: 2})
		for i := range 2 {
			if _, err := f.notify(t, "", "AAPPROVED"); err != nil {
				t.Fatalf("call %d in the burst: %v", i+1, err)
			}
		}
		before := f.totalDeliveries(t)
		_, err := f.notify(t, "", "AAPPROVED")
		var e *turkmail.Error
		if !errors.As(err, &e) || e.Code != turkmail.CodeThrottling {
			t.Fatalf("third call: %v, want ThrottlingException", err)
		}
		if after := f.totalDeliveries(t); after != before {
			t.Fatal("a throttled call queued deliveries")
		}
		f.clock.Advance(time.Second)
		if _, err := f.notify(t, "", "AAPPROVED"); err != nil {
			t.Fatalf("a second later: %v", err)
		}
	})
}

// failingQueue makes the deliveries' INSERT fail (a worker that does not exist breaks the
// foreign key) after the lock, the invocation look-up and the facts were read in the same
// transaction (and, on SQLite, after the notification row was written by its own INSERT; on
// PostgreSQL the three INSERTs are one statement).
type failingQueue struct{ *sqlstore.Store }

func (f failingQueue) AcceptNotification(ctx context.Context, a turkmail.Acceptance) (turkmail.Accepted, error) {
	decide := a.Decide
	a.Decide = func(facts map[string]turkmail.RecipientFacts) (turkmail.Decision, error) {
		d, err := decide(facts)
		d.Queue = append(d.Queue, turkmail.Recipient{WorkerID: "ANOSUCHWORKER", MessageID: "<x@turkmail>"})
		return d, err
	}
	return f.Store.AcceptNotification(ctx, a)
}

func TestNotifyWorkersAtomic(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		f := newNotifyFixture(t, failingQueue{s}, s, seed, turkmail.Options{NotifyRate: -1})
		before := f.totalDeliveries(t)
		_, err := f.notify(t, "inv-atomic", "AAPPROVED", "AREJECTED")
		var e *turkmail.Error
		if !errors.As(err, &e) || e.Code != turkmail.CodeServiceFault || strings.Contains(e.Message, "ANOSUCHWORKER") {
			t.Fatalf("err = %v, want a generic ServiceFault", err)
		}
		if after := f.totalDeliveries(t); after != before {
			t.Fatalf("%d deliveries survived a failed commit", after-before)
		}
		page, err := f.store.ListNotificationSummaries(context.Background(), f.req, turkmail.Page{Limit: 100})
		if err != nil || len(page) != 0 {
			t.Fatalf("notifications after a failed commit: %+v %v", page, err)
		}
		// Nor was the invocation recorded: a retry runs afresh (and fails the same way here).
		if _, err := f.notify(t, "inv-atomic", "AAPPROVED"); !errors.As(err, &e) || e.Code != turkmail.CodeServiceFault {
			t.Fatalf("retry: %v", err)
		}
	})
}

// Concurrent calls of one requester cannot both slip under the cap: on PostgreSQL the
// requester's row lock serialises acceptances, on SQLite the single writer does.
func TestNotifyWorkersCapUnderConcurrency(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		f := newNotifyFixture(t, s, s, seed, turkmail.Options{NotifyRate: -1, NotifyCap: 1, NotifyCapWindow: time.Hour})
		const n = 8
		var wg sync.WaitGroup
		results := make([]turkmail.NotifyResult, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { results[i], errs[i] = f.notify(t, "", "ACAP") })
		}
		wg.Wait()
		accepted := 0
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("call %d: %v", i, errs[i])
			}
			switch fs := results[i].Failures; {
			case len(fs) == 0:
				accepted++
			case len(fs) != 1 || fs[0].Code != turkmail.SoftFailure:
				t.Fatalf("call %d: %s, want accepted or SoftFailure", i, failuresString(fs))
			}
		}
		if total := f.totalDeliveries(t); accepted != 1 || total != 1 {
			t.Fatalf("%d calls accepted, %d deliveries; want 1 and 1 under a cap of 1", accepted, total)
		}
	})
}
