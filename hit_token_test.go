package turkmail_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// MTurk honours a UniqueRequestToken for 24 hours: a repeat within them is
// HitAlreadyExists naming the first HIT, a repeat after them makes a new HIT.
func TestUniqueRequestTokenLifetime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
		svc, err := turkmail.NewService(s, turkmail.Options{Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		c, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "Vision Lab"})
		if err != nil {
			t.Fatal(err)
		}
		str := func(s string) *string { return &s }
		num := func(n int64) *int64 { return &n }
		create := func() (turkmail.HIT, error) {
			return svc.CreateHIT(ctx, c.RequesterID,
				turkmail.NewHITType{Title: str("Tag images"), Description: str("Tag them"), Reward: str("0.10"), AssignmentDurationInSeconds: num(600)},
				turkmail.HITParams{LifetimeInSeconds: num(3600), MaxAssignments: num(1), Question: str(storetest.SeedQuestion),
					UniqueRequestToken: str("batch-7-item-1")})
		}
		first, err := create()
		if err != nil {
			t.Fatal(err)
		}
		wantExists := func(step, holder string) {
			t.Helper()
			_, err := create()
			var e *turkmail.Error
			if !errors.As(err, &e) || e.TurkErrorCode != "AWS.MechanicalTurk.HitAlreadyExists" || !strings.Contains(e.Message, holder) {
				t.Fatalf("%s: %v, want HitAlreadyExists naming %s", step, err, holder)
			}
		}
		clock.Advance(24*time.Hour - time.Millisecond)
		wantExists("just inside 24 hours", first.ID)
		clock.Advance(time.Millisecond)
		second, err := create()
		if err != nil || second.ID == first.ID {
			t.Fatalf("at 24 hours: %v, %v; want a new HIT", second.ID, err)
		}
		wantExists("right after the new HIT", second.ID)
		if _, err := svc.GetHIT(ctx, c.RequesterID, first.ID); err != nil {
			t.Fatalf("the first HIT is gone: %v", err)
		}
	})
}
