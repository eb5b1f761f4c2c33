package turkmail

import (
	"errors"
	"testing"
	"time"
)

func TestRateLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l := newRateLimiter(2, 3, clock) // 2/s, bursts of 3

	type step struct {
		advance time.Duration
		key     string
		allowed bool
	}
	steps := []step{
		// the burst, then refused
		{0, "A", true}, {0, "A", true}, {0, "A", true}, {0, "A", false},
		// another requester has its own bucket
		{0, "B", true},
		// half a second buys one token
		{500 * time.Millisecond, "A", true}, {0, "A", false},
		// a long pause refills to the burst, no further
		{time.Hour, "A", true}, {0, "A", true}, {0, "A", true}, {0, "A", false},
		// a clock stepping back mints nothing
		{-time.Hour, "A", false},
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		err := l.take(s.key)
		if (err == nil) != s.allowed {
			t.Fatalf("step %d (%s): take = %v, want allowed=%v", i, s.key, err, s.allowed)
		}
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Code != CodeThrottling) {
			t.Fatalf("step %d: error %v is not a ThrottlingException", i, err)
		}
	}
}

func TestRateLimiterOffAndDefaults(t *testing.T) {
	if l := notifyLimiter(Options{NotifyRate: -1, Now: time.Now}); l != nil {
		t.Fatalf("negative rate: limiter %+v, want none", l)
	}
	var off *rateLimiter
	for range 1000 {
		if err := off.take("A"); err != nil {
			t.Fatal(err)
		}
	}
	l := notifyLimiter(Options{Now: time.Now})
	if l.rate != DefaultNotifyRate || l.burst != DefaultNotifyBurst {
		t.Fatalf("defaults: rate %v burst %v", l.rate, l.burst)
	}
}

func TestRateLimiterDropsFullBuckets(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := newRateLimiter(1, 1, func() time.Time { return now })
	for i := range maxIdleBuckets {
		l.take(string(rune('a'+i%26)) + time.Duration(i).String())
	}
	now = now.Add(time.Minute) // every bucket is full again
	l.take("new")
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets kept, want only the new one", len(l.buckets))
	}
}
