package turkmail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// statusFixture is a Service over a fresh SQLite store with a seeder on the same file.
func statusFixture(t *testing.T) (*turkmail.Service, *storetest.Seeder) {
	t.Helper()
	dsn := storetest.DSN(t, "sqlite")
	store, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	svc, err := turkmail.NewService(store, turkmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return svc, storetest.NewSeeder(t, dsn)
}

func ptr[T any](v T) *T { return &v }

func TestListNotificationsPages(t *testing.T) {
	ctx := context.Background()
	svc, seed := statusFixture(t)
	seed.Requester("AREQ1", "Lab One", "")
	seed.Requester("AREQ2", "Lab Two", "")
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i := range 25 {
		seed.Notification(fmt.Sprintf("N%02d", i), "AREQ1", fmt.Sprintf("Subject %d", i), "text", t0.Add(time.Duration(i)*time.Minute))
	}
	seed.Notification("NOTHER", "AREQ2", "Other", "text", t0)

	for _, tc := range []struct {
		name       string
		maxResults *int64
		pages      []int
	}{
		{"default of 10", nil, []int{10, 10, 5}},
		{"7 at a time", ptr[int64](7), []int{7, 7, 7, 4}},
		{"all at once", ptr[int64](100), []int{25}},
		{"exactly the total", ptr[int64](25), []int{25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sizes []int
			var ids []string
			var token *string
			for range 10 {
				page, err := svc.ListNotifications(ctx, "AREQ1", token, tc.maxResults)
				if err != nil {
					t.Fatal(err)
				}
				sizes = append(sizes, len(page.Notifications))
				for _, n := range page.Notifications {
					ids = append(ids, n.ID)
				}
				if token = page.NextToken; token == nil {
					break
				}
			}
			if fmt.Sprint(sizes) != fmt.Sprint(tc.pages) {
				t.Fatalf("page sizes %v, want %v", sizes, tc.pages)
			}
			if len(ids) != 25 || ids[0] != "N24" || ids[24] != "N00" {
				t.Fatalf("ids %v: want all 25, newest first", ids)
			}
		})
	}

	page, err := svc.ListNotifications(ctx, "AREQ1", nil, ptr[int64](2))
	if err != nil || page.NextToken == nil {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	for _, tc := range []struct {
		name       string
		requester  string
		token      *string
		maxResults *int64
		want       string
	}{
		{"MaxResults 0", "AREQ1", nil, ptr[int64](0), "MaxResults must be between 1 and 100 (got 0)"},
		{"MaxResults 101", "AREQ1", nil, ptr[int64](101), "MaxResults must be between 1 and 100 (got 101)"},
		{"altered token", "AREQ1", ptr(strings.ToUpper(*page.NextToken)), nil, "NextToken is not valid"},
		{"empty token", "AREQ1", ptr(""), nil, "NextToken is not valid"},
		{"another requester's token", "AREQ2", page.NextToken, nil, "NextToken is not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.ListNotifications(ctx, tc.requester, tc.token, tc.maxResults)
			e := turkmail.AsError(err)
			if err == nil || e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("got %v, want a RequestError containing %q", err, tc.want)
			}
		})
	}
	other, err := svc.ListNotifications(ctx, "AREQ2", nil, nil)
	if err != nil || len(other.Notifications) != 1 || other.NextToken != nil {
		t.Fatalf("AREQ2's listing = %+v, %v", other, err)
	}
}

func TestNotificationReportRules(t *testing.T) {
	ctx := context.Background()
	svc, seed := statusFixture(t)
	seed.Requester("AREQ1", "Lab One", "")
	seed.Requester("AREQ2", "Lab Two", "")
	seed.Worker("AW1", "privacy-canary-0@example.org")
	seed.Notification("N1", "AREQ1", "Hello", "text", time.Now())
	seed.Deliveries("N1", "AREQ1", []string{"AW1"}, time.Now())

	r, err := svc.NotificationReport(ctx, "AREQ1", "N1")
	if err != nil || r.WorkerCount != 1 || r.Deliveries[0].State != turkmail.DeliveryQueued || r.Counts.Queued != 1 {
		t.Fatalf("report = %+v, %v", r, err)
	}
	unknown := turkmail.AsError(func() error { _, err := svc.NotificationReport(ctx, "AREQ1", "NNOPE"); return err }())
	for _, tc := range []struct {
		name, requester, id string
		turkCode, message   string
	}{
		{"missing", "AREQ1", "", "AWS.MechanicalTurk.MissingParameter", "NotificationId is required"},
		{"too long", "AREQ1", strings.Repeat("N", 65), "AWS.MechanicalTurk.InvalidParameterValue", "1 to 64 characters"},
		{"control character", "AREQ1", "N\n1", "AWS.MechanicalTurk.InvalidParameterValue", "without control characters"},
		{"unknown", "AREQ1", "NNOPE", "AWS.MechanicalTurk.ResourceNotFound", "Notification NNOPE does not exist."},
		// Another requester's id: the very answer an unknown id gets.
		{"another requester's", "AREQ2", "N1", unknown.TurkErrorCode, strings.Replace(unknown.Message, "NNOPE", "N1", 1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.NotificationReport(ctx, tc.requester, tc.id)
			e := turkmail.AsError(err)
			if err == nil || e.Code != turkmail.CodeRequestError || e.TurkErrorCode != tc.turkCode || !strings.Contains(e.Message, tc.message) {
				t.Fatalf("got %v, want %s containing %q", err, tc.turkCode, tc.message)
			}
		})
	}
}

func TestDeliveryRecordsRules(t *testing.T) {
	ctx := context.Background()
	svc, seed := statusFixture(t)
	seed.Requester("AREQ1", "Lab One", "")
	seed.Worker("AW1", "w1@example.org")
	seed.Notification("N1", "AREQ1", "Hello", "text", time.Now())
	seed.Deliveries("N1", "AREQ1", []string{"AW1"}, time.Now())
	for _, tc := range []struct {
		name  string
		f     turkmail.DeliveryFilter
		n     int
		error string
	}{
		{"any case state", turkmail.DeliveryFilter{State: "Queued"}, 1, ""},
		{"other state", turkmail.DeliveryFilter{State: "bounced"}, 0, ""},
		{"unknown state", turkmail.DeliveryFilter{State: "lost"}, 0, `State "lost" is not a delivery state`},
		{"negative limit", turkmail.DeliveryFilter{Limit: -1}, 0, "must not be negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := svc.DeliveryRecords(ctx, tc.f)
			if tc.error != "" {
				if err == nil || !strings.Contains(err.Error(), tc.error) {
					t.Fatalf("got %v, want an error containing %q", err, tc.error)
				}
				return
			}
			if err != nil || len(recs) != tc.n {
				t.Fatalf("got %d records, %v; want %d", len(recs), err, tc.n)
			}
		})
	}
}
