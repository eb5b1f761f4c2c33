package turkmail_test

import (
	"context"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/storetest"
)

func TestRetryBackoff(t *testing.T) {
	r := turkmail.DefaultRetry()
	for _, tc := range []struct {
		attempts int
		jitter   float64
		want     time.Duration
	}{
		{0, 0, 5 * time.Minute}, // treated as the first
		{1, 0, 5 * time.Minute},
		{2, 0, 10 * time.Minute},
		{3, 0, 20 * time.Minute},
		{4, 0, 40 * time.Minute},
		{5, 0, 4000 * time.Second}, // 80 min capped at 4000 s
		{50, 0, 4000 * time.Second},
		{1, 0.5, 5*time.Minute + 37500*time.Millisecond}, // d + d/8
		{1, 0.999999, 375 * time.Second},                 // just under 1.25·d
		{4, 0.5, 45 * time.Minute},                       // 40 min + 5 min
		{4, 0.9, 2940 * time.Second},                     // 40 min + 9 min, under the cap
		{5, 0.1, 3920 * time.Second},                     // at the cap: 4000 s − 0.1·800 s
		{9, 0.5, 3600 * time.Second},                     // at the cap: 4000 s − 0.5·800 s
		{1, -1, 5 * time.Minute},                         // out-of-range jitter is ignored
		{1, 1, 5 * time.Minute},
	} {
		got := r.Backoff(tc.attempts, tc.jitter)
		if d := got - tc.want; d < -time.Millisecond || d > time.Millisecond {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.attempts, tc.jitter, got, tc.want)
		}
		if got < r.Min || got > r.Max {
			t.Errorf("Backoff(%d, %v) = %v, outside [%v, %v]", tc.attempts, tc.jitter, got, r.Min, r.Max)
		}
	}
}

func TestRetryNext(t *testing.T) {
	r := turkmail.Retry{Min: time.Minute, Max: time.Hour, Lifetime: 24 * time.Hour}
	created := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		now      time.Time
		attempts int
		want     time.Time
		ok       bool
	}{
		{"first failure", created, 1, created.Add(time.Minute), true},
		{"third failure", created.Add(time.Hour), 3, created.Add(time.Hour + 4*time.Minute), true},
		{"last retry pulled in to the end of the lifetime", created.Add(24*time.Hour - 10*time.Minute), 20, created.Add(24 * time.Hour), true},
		{"at the end of the lifetime", created.Add(24 * time.Hour), 21, time.Time{}, false},
		{"past it", created.Add(25 * time.Hour), 22, time.Time{}, false},
	} {
		got, ok := r.Next(created, tc.now, tc.attempts, 0)
		if ok != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%s: Next = %v, %v; want %v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDeliveryStateFinal(t *testing.T) {
	for st, want := range map[turkmail.DeliveryState]bool{
		turkmail.DeliveryQueued: false, turkmail.DeliverySending: false, turkmail.DeliveryDeferred: false,
		turkmail.DeliveryDelivered: true, turkmail.DeliveryBounced: true, turkmail.DeliveryExpired: true,
		turkmail.DeliveryCancelled: true,
	} {
		if st.Final() != want {
			t.Errorf("%s.Final() = %v", st, !want)
		}
	}
}

func TestSuppressionKey(t *testing.T) {
	for in, want := range map[string]string{
		"Bob@Example.ORG":    "bob@example.org",
		"  bob@example.org ": "bob@example.org",
		"ÉLODIE@exemple.fr":  "élodie@exemple.fr",
	} {
		if got := turkmail.SuppressionKey(in); got != want {
			t.Errorf("SuppressionKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestUnsubscribeToken(t *testing.T) {
	ctx := context.Background()
	svc, err := turkmail.NewService(storetest.Open(t, "sqlite"), turkmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := svc.UnsubscribeToken(ctx, "AWORKER1", "AREQ1")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := svc.UnsubscribeToken(ctx, "AWORKER1", "AREQ1"); again != tok {
		t.Fatalf("token not deterministic: %q then %q", tok, again)
	}
	w, r, err := svc.OpenUnsubscribeToken(ctx, tok)
	if err != nil || w != "AWORKER1" || r != "AREQ1" {
		t.Fatalf("OpenUnsubscribeToken = %q, %q, %v", w, r, err)
	}
	page, _ := svc.SignToken(ctx, "page", []byte("AWORKER1.AREQ1"))
	noDot, _ := svc.SignToken(ctx, "unsubscribe", []byte("AWORKER1"))
	for name, bad := range map[string]string{"another purpose's token": page, "no separator": noDot, "garbage": "xyz"} {
		if _, _, err := svc.OpenUnsubscribeToken(ctx, bad); !turkmail.IsBadToken(err) {
			t.Errorf("%s: err = %v, want a bad-token error", name, err)
		}
	}
}
