package turkmail

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// NotifyWorkers defaults (DESIGN §2, docs/notify-workers.md).
const (
	DefaultNotifyCap       = 10             // notifications per (requester, worker) ...
	DefaultNotifyCapWindow = 24 * time.Hour // ... per this sliding window
	DefaultNotifyRate      = 50.0           // NotifyWorkers calls per second per requester
	DefaultNotifyBurst     = 100            // calls a requester may make at once
	// InvocationTTL is how long a (requester, amz-sdk-invocation-id) answer is replayed.
	InvocationTTL = 24 * time.Hour
)

// The per-worker outcomes' codes and messages. noWorkMessage is MTurk's own wording, given
// for unknown workers too, so that a requester cannot probe which worker ids exist.
const (
	HardFailure = "HardFailure"
	SoftFailure = "SoftFailure"

	noWorkMessage     = "Cannot send a notification to a worker who has not done any work for you"
	optedOutMessage   = "The worker has opted out of email from you"
	suppressedMessage = "The worker's email address does not accept mail"
)

// NotifyInput is one NotifyWorkers call.
type NotifyInput struct {
	RequesterID  string
	InvocationID string // amz-sdk-invocation-id; empty: no idempotency
	Subject      string
	MessageText  string
	WorkerIDs    []string // as sent: duplicates collapse later
}

// NotifyFailure is one worker's failure status, in MTurk's wire shape (it is stored as sent,
// for replays).
type NotifyFailure struct {
	Code     string `json:"NotifyWorkersFailureCode"`
	Message  string `json:"NotifyWorkersFailureMessage"`
	WorkerID string `json:"WorkerId"`
}

// notifyResponse is NotifyWorkers' response body. Failures is never nil: MTurk sends [] when
// every worker was accepted.
type notifyResponse struct {
	Failures []NotifyFailure `json:"NotifyWorkersFailureStatuses"`
}

// NotifyResult is NotifyWorkers' answer.
type NotifyResult struct {
	NotificationID string
	Failures       []NotifyFailure
	Response       []byte // the response body exactly as first committed; replays send it again
	Replayed       bool   // an earlier call with the same invocation id answered this
}

// Notification is one accepted NotifyWorkers call. Every call that passes validation and
// throttling gets one, even when every worker failed (then it has no deliveries).
type Notification struct {
	ID          string
	RequesterID string
	Subject     string
	MessageText string
	CreatedAt   time.Time
}

// Recipient is one delivery NotifyWorkers queues: state queued, due at once.
type Recipient struct {
	WorkerID  string
	MessageID string
}

// RecipientFacts is what the store knows about one requested worker, read inside the
// acceptance transaction. A worker the store does not know has no entry.
type RecipientFacts struct {
	Reviewed   bool // this requester approved or rejected an assignment of the worker (eligibility)
	OptedOut   bool // the worker unsubscribed from this requester's email
	Suppressed bool // the worker's address bounced permanently
	Recent     int  // deliveries from this requester to this worker since Acceptance.CapSince
}

// Acceptance is one NotifyWorkers call for the Store to commit atomically.
type Acceptance struct {
	Notification    Notification
	WorkerIDs       []string // distinct, in first-appearance order
	InvocationID    string   // empty: no idempotency record
	InvocationSince time.Time
	CapSince        time.Time // zero: no cap, nothing to count
	// Decide turns the facts into the deliveries to queue and the response to store. It runs
	// inside the transaction and may run more than once.
	Decide func(facts map[string]RecipientFacts) (Decision, error)
}

// NotifyStore keeps notifications, their queued deliveries and the idempotency records.
type NotifyStore interface {
	// AcceptNotification commits one NotifyWorkers call in one transaction: it reads the
	// facts about a.WorkerIDs (eligibility among them, with the same primary-key probes as
	// ReviewedWorkers), lets a.Decide choose the deliveries and the response, and
	// inserts the notification, a queued delivery (due at once) per chosen worker and, when
	// a.InvocationID is set, the invocation record. If (requester, invocation id) already
	// holds a record made since a.InvocationSince, it writes nothing and returns that record
	// with Replayed set; an older record is replaced.
	AcceptNotification(ctx context.Context, a Acceptance) (Accepted, error)
	// PurgeInvocations deletes invocation records made before before.
	PurgeInvocations(ctx context.Context, before time.Time) (int64, error)
}

// Decision is Decide's answer.
type Decision struct {
	Queue    []Recipient
	Response []byte
}

// Accepted is what the Store committed, or found already committed for the invocation id.
type Accepted struct {
	NotificationID string
	Response       []byte
	Replayed       bool
}

// NotifyWorkers validates, throttles, and commits a notification with one queued delivery
// per accepted worker, all in one transaction, before it answers (DESIGN §2).
func (s *Service) NotifyWorkers(ctx context.Context, in NotifyInput) (NotifyResult, error) {
	if err := in.Validate(); err != nil {
		return NotifyResult{}, err
	}
	// Before any database work: a throttled call costs (and queues) nothing.
	if err := s.limiter.take(in.RequesterID); err != nil {
		return NotifyResult{}, err
	}
	ids := distinct(in.WorkerIDs)
	now := s.now()
	n := Notification{ID: s.ids.notificationID(), RequesterID: in.RequesterID,
		Subject: in.Subject, MessageText: in.MessageText, CreatedAt: now}
	var failures []NotifyFailure
	queued := 0
	acc, err := s.store.AcceptNotification(ctx, Acceptance{
		Notification: n, WorkerIDs: ids, InvocationID: in.InvocationID,
		InvocationSince: now.Add(-InvocationTTL), CapSince: s.capSince(now),
		Decide: func(facts map[string]RecipientFacts) (Decision, error) {
			queue, f := s.decide(n.ID, ids, facts)
			failures, queued = f, len(queue)
			body, err := json.Marshal(notifyResponse{Failures: f})
			return Decision{Queue: queue, Response: body}, err
		},
	})
	if err != nil {
		return NotifyResult{}, Fault(err)
	}
	if !acc.Replayed && queued > 0 {
		s.queued()
	}
	res := NotifyResult{NotificationID: acc.NotificationID, Failures: failures, Response: acc.Response, Replayed: acc.Replayed}
	if acc.Replayed {
		var r notifyResponse
		if err := json.Unmarshal(acc.Response, &r); err != nil {
			return NotifyResult{}, Fault(fmt.Errorf("stored response of notification %s: %w", acc.NotificationID, err))
		}
		res.Failures = r.Failures
	}
	return res, nil
}

// decide gives each distinct worker its one outcome, in the order of the ids; the order of
// the cases is the order of precedence.
func (s *Service) decide(notificationID string, ids []string, facts map[string]RecipientFacts) ([]Recipient, []NotifyFailure) {
	queue := make([]Recipient, 0, len(ids))
	failures := []NotifyFailure{}
	for _, id := range ids {
		f, known := facts[id]
		switch {
		case !known || !f.Reviewed:
			failures = append(failures, NotifyFailure{HardFailure, noWorkMessage, id})
		case f.OptedOut:
			failures = append(failures, NotifyFailure{HardFailure, optedOutMessage, id})
		case f.Suppressed:
			failures = append(failures, NotifyFailure{HardFailure, suppressedMessage, id})
		case s.notify.cap > 0 && f.Recent >= s.notify.cap:
			failures = append(failures, NotifyFailure{SoftFailure, fmt.Sprintf(
				"You have sent this worker the maximum of %d notifications in %s; try again later", s.notify.cap, formatWindow(s.notify.capWindow)), id})
		default:
			queue = append(queue, Recipient{WorkerID: id, MessageID: MessageID(notificationID, id)})
		}
	}
	return queue, failures
}

// capSince is where the cap's window starts; zero when there is no cap.
func (s *Service) capSince(now time.Time) time.Time {
	if s.notify.cap <= 0 {
		return time.Time{}
	}
	return now.Add(-s.notify.capWindow)
}

// MessageID is the Message-ID of a notification's email to a worker: stable across every
// attempt of that delivery and unique, since ids are unique.
func MessageID(notificationID, workerID string) string {
	return "<" + notificationID + "." + workerID + "@turkmail>"
}

// PurgeInvocations deletes idempotency records too old to be replayed; safe on every node at once.
func (s *Service) PurgeInvocations(ctx context.Context) (int64, error) {
	n, err := s.store.PurgeInvocations(ctx, s.now().Add(-InvocationTTL))
	if err != nil {
		return 0, Fault(err)
	}
	return n, nil
}

func distinct(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

// notificationID looks like MTurk's object ids, with an N so it is never taken for a HIT's.
func (s idSource) notificationID() string { return s.random("N", 29, idAlphabet) }

// notifyLimits are the Service's NotifyWorkers settings after defaults.
type notifyLimits struct {
	cap       int // <= 0: no cap
	capWindow time.Duration
}

func notifyLimitsOf(o Options) notifyLimits {
	l := notifyLimits{cap: o.NotifyCap, capWindow: o.NotifyCapWindow}
	if l.cap == 0 {
		l.cap = DefaultNotifyCap
	}
	if l.capWindow <= 0 {
		l.capWindow = DefaultNotifyCapWindow
	}
	return l
}

// ParseNotifyCap reads --notify-cap: "COUNT/DURATION" (e.g. 10/24h), or "off" for no cap,
// which it returns as -1.
func ParseNotifyCap(s string) (int, time.Duration, error) {
	if strings.EqualFold(s, "off") {
		return -1, DefaultNotifyCapWindow, nil
	}
	count, window, ok := strings.Cut(s, "/")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 {
		return 0, 0, fmt.Errorf("notify cap %q: want COUNT/DURATION with COUNT at least 1 (e.g. 10/24h), or off", s)
	}
	d, err := time.ParseDuration(window)
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("notify cap %q: DURATION must be positive, e.g. 24h or 30m", s)
	}
	return n, d, nil
}

// formatWindow writes a cap window for people: "24 hours", "30 minutes", "1h30m0s".
func formatWindow(d time.Duration) string {
	plural := func(n int64, unit string) string {
		if n == 1 {
			return "1 " + unit
		}
		return strconv.FormatInt(n, 10) + " " + unit + "s"
	}
	switch {
	case d%time.Hour == 0:
		return plural(int64(d/time.Hour), "hour")
	case d%time.Minute == 0 && d < time.Hour:
		return plural(int64(d/time.Minute), "minute")
	case d%time.Second == 0 && d < time.Minute:
		return plural(int64(d/time.Second), "second")
	}
	return d.String()
}
