package turkmail

import (
	"fmt"
	"math"
	"sync"
	"time"
)

// rateLimiter is a token bucket per requester, in this process's memory: with N nodes the
// effective rate is N times the configured one (docs/notify-workers.md). Requesters are few
// and authenticated before they reach it, so the map needs no eviction beyond dropping full
// buckets when it grows large.
type rateLimiter struct {
	rate  float64 // tokens per second; <= 0: no limit
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// maxIdleBuckets: past this many buckets, take() drops those that have refilled, since a
// full bucket is the same as none.
const maxIdleBuckets = 10000

// notifyLimiter is the NotifyWorkers limiter Options ask for; nil means no throttling.
func notifyLimiter(o Options) *rateLimiter {
	rate, burst := o.NotifyRate, o.NotifyBurst
	if rate < 0 {
		return nil
	}
	if rate == 0 {
		rate = DefaultNotifyRate
	}
	if burst <= 0 {
		burst = DefaultNotifyBurst
	}
	return newRateLimiter(rate, burst, o.Now)
}

func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	if burst < 1 {
		burst = 1
	}
	return &rateLimiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// take spends one token of key's bucket, or answers ThrottlingException when there is none.
func (l *rateLimiter) take(key string) error {
	if l == nil || l.rate <= 0 {
		return nil
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxIdleBuckets {
			l.dropFull(now)
		}
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	// A clock that steps back must not mint tokens, nor take them away.
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed.Seconds()*l.rate)
		b.last = now
	}
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
		return &Error{Code: CodeThrottling, Message: fmt.Sprintf(
			"Rate exceeded: at most %g NotifyWorkers calls per second per requester (bursts of %g); retry in %s.",
			l.rate, l.burst, wait.Round(time.Millisecond))}
	}
	b.tokens--
	return nil
}

func (l *rateLimiter) dropFull(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
}
