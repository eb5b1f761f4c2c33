package turkmail

import (
	"context"
	"strings"
	"time"
)

// DeliveryState is where one (notification, worker) email stands. The row is the outbox and
// the delivery log at once (DESIGN §4).
type DeliveryState string

const (
	// DeliveryQueued: accepted by NotifyWorkers, not tried yet.
	DeliveryQueued DeliveryState = "queued"
	// DeliverySending: claimed by a dispatcher under a lease; DueAt is when the lease ends
	// and another dispatcher may take the row over.
	DeliverySending DeliveryState = "sending"
	// DeliveryDelivered: the relay answered 2xx after the message (or the capture store kept it).
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryDeferred: a transient failure; tried again at DueAt.
	DeliveryDeferred DeliveryState = "deferred"
	// DeliveryBounced: a permanent failure (SMTP 5xx, suppressed address, unusable message).
	DeliveryBounced DeliveryState = "bounced"
	// DeliveryExpired: still failing transiently when the queue lifetime ran out.
	DeliveryExpired DeliveryState = "expired"
	// DeliveryCancelled: the worker opted out of this requester before it was sent.
	DeliveryCancelled DeliveryState = "cancelled"
)

// Final tells whether nothing more will happen to a delivery in state st.
func (st DeliveryState) Final() bool {
	switch st {
	case DeliveryDelivered, DeliveryBounced, DeliveryExpired, DeliveryCancelled:
		return true
	}
	return false
}

// Delivery is one email to one worker for one notification. The worker's address is not
// part of it: it is looked up at send time and never stored with the delivery, so nothing
// that shows deliveries to a requester can leak it.
type Delivery struct {
	ID             int64
	NotificationID string
	RequesterID    string
	WorkerID       string
	MessageID      string // the Message-ID header, the same on every attempt
	State          DeliveryState
	Attempts       int
	DueAt          time.Time // next attempt; while sending, the end of the lease
	LeaseOwner     string
	LastAttemptAt  time.Time // zero before the first attempt
	LastCode       int       // SMTP reply code of the last attempt; 0 if none
	LastEnhanced   string    // RFC 3463 code of the last attempt, e.g. "5.1.1"
	LastText       string    // reply or error text, addresses removed
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Outgoing is a claimed delivery with everything its email is made from, read in one query
// per claimed batch. It holds the worker's address: it stays inside the dispatcher.
type Outgoing struct {
	Delivery
	Subject          string
	MessageText      string
	RequesterName    string
	RequesterContact string // Reply-To when not empty
	WorkerEmail      string
	OptedOut         bool // the worker opted out of this requester's email
	Suppressed       bool // the worker's address bounced permanently before
}

// DeliveryResult is what a dispatcher learnt about one claimed delivery.
type DeliveryResult struct {
	ID    int64
	State DeliveryState // delivered, deferred, bounced, expired or cancelled; queued releases the claim
	// DueAt is the next attempt of a deferred delivery.
	DueAt    time.Time
	Code     int
	Enhanced string
	Text     string // addresses removed
	// Suppress, when set, is the address to add to the suppression list (a permanent
	// bounce); the store keeps it as SuppressionKey(Suppress).
	Suppress string
}

// DeliveryStore is the outbox. ClaimDeliveries leases due rows to owner — queued, deferred
// past their DueAt, or sending with a lease that ran out — setting them sending, DueAt to
// now+lease and counting the attempt; concurrent claimers never get the same row.
// RecordDeliveries writes results only for rows still leased to owner (a dispatcher whose
// lease was taken over cannot overwrite the new owner's result) and returns how many it
// wrote. A result in state queued releases the claim: due at once, the attempt not counted.
type DeliveryStore interface {
	ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]Outgoing, error)
	RecordDeliveries(ctx context.Context, owner string, now time.Time, results []DeliveryResult) (int, error)
	Delivery(ctx context.Context, id int64) (Delivery, error)
	// CountDeliveries counts deliveries by state.
	CountDeliveries(ctx context.Context) (map[DeliveryState]int, error)
	// IsSuppressed tells whether email is on the suppression list.
	IsSuppressed(ctx context.Context, email string) (bool, error)
}

// SuppressionKey is the form the suppression list keeps an address in: lower-cased whole.
// Lower-casing the local part too is wrong for a handful of hosts, but an address that
// bounced permanently in one spelling is not worth retrying in another.
func SuppressionKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// Retry is the transient-failure rule, modelled on Postfix: the first retry after Min
// (minimal_backoff_time, 300s), doubling per attempt up to Max (maximal_backoff_time,
// 4000s), and a delivery still failing Lifetime after it was queued expires
// (maximal_queue_lifetime, 5 days).
type Retry struct {
	Min      time.Duration
	Max      time.Duration
	Lifetime time.Duration
}

// DefaultRetry returns Postfix's defaults.
func DefaultRetry() Retry {
	return Retry{Min: 5 * time.Minute, Max: 4000 * time.Second, Lifetime: 120 * time.Hour}
}

// Backoff is the wait after the attempts-th failed attempt (1 for the first). jitter, in
// [0, 1), spreads retries so that deliveries that failed together (a relay outage) do not
// all come back at the same instant: the wait is d to 1.25·d, where d = Min·2^(attempts−1)
// capped at Max; at the cap, up to a fifth is taken off instead, so the wait never exceeds
// Max and never falls under Min.
func (r Retry) Backoff(attempts int, jitter float64) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := r.Min
	for i := 1; i < attempts && d < r.Max; i++ {
		d *= 2
	}
	d = min(d, r.Max)
	if jitter < 0 || jitter >= 1 {
		jitter = 0
	}
	w := d + time.Duration(jitter*float64(d)/4)
	if w > r.Max {
		w = r.Max - time.Duration(jitter*float64(r.Max)/5)
	}
	return max(w, r.Min)
}

// Next decides what a transient failure at now means for a delivery queued at created
// after attempts attempts: deferred to the returned time, or expired (ok false). The last
// retry is pulled in to the end of the lifetime rather than skipped, as Postfix does.
func (r Retry) Next(created, now time.Time, attempts int, jitter float64) (time.Time, bool) {
	end := created.Add(r.Lifetime)
	if !now.Before(end) {
		return time.Time{}, false
	}
	next := now.Add(r.Backoff(attempts, jitter))
	if next.After(end) {
		next = end
	}
	return next, true
}

// CapturedMail is one message the capture sender kept instead of sending.
type CapturedMail struct {
	ID           int64
	MessageID    string
	EnvelopeFrom string
	EnvelopeTo   string
	Raw          []byte
	CreatedAt    time.Time
}
