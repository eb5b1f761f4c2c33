package turkmail

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Delivery status: what happened to the emails of a notification, for the requester who sent
// it (ListNotifications, GetNotification) and for the operator (turkmail deliveries list).
// A requester sees its own notifications only, per worker, and never a worker's address.

// DeliveryCounts counts a notification's deliveries by state.
type DeliveryCounts struct {
	Queued, Sending, Deferred, Delivered, Bounced, Expired, Cancelled int
}

// Add counts n deliveries in state st. States it does not know are not counted: a newer
// node's state must not break an older node's listing.
func (c *DeliveryCounts) Add(st DeliveryState, n int) {
	switch st {
	case DeliveryQueued:
		c.Queued += n
	case DeliverySending:
		c.Sending += n
	case DeliveryDeferred:
		c.Deferred += n
	case DeliveryDelivered:
		c.Delivered += n
	case DeliveryBounced:
		c.Bounced += n
	case DeliveryExpired:
		c.Expired += n
	case DeliveryCancelled:
		c.Cancelled += n
	}
}

// NotificationSummary is one notification in a requester's listing.
type NotificationSummary struct {
	ID          string
	RequesterID string
	Subject     string
	CreatedAt   time.Time
	WorkerCount int // deliveries queued for it: workers NotifyWorkers refused have none
	Counts      DeliveryCounts
}

// DeliveryReport is what a requester may know about one worker's delivery. It has no field
// for the address, so no code path can fill one in.
type DeliveryReport struct {
	WorkerID      string
	State         DeliveryState
	Attempts      int
	LastAttemptAt time.Time // zero before the first attempt
	LastCode      int       // SMTP reply code; 0 if none (no attempt, or a connection error)
	LastEnhanced  string
	LastText      string // as the sender stored it: addresses already removed
}

// NotificationReport is one notification with a report per worker, in worker id order.
type NotificationReport struct {
	NotificationSummary
	Deliveries []DeliveryReport
}

// NotificationPage is one page of ListNotifications; NextToken is nil on the last page.
type NotificationPage struct {
	Notifications []NotificationSummary
	NextToken     *string
}

// DeliveryFilter selects deliveries for the operator's listing. Empty fields select all.
type DeliveryFilter struct {
	NotificationID string
	RequesterID    string
	WorkerID       string
	State          DeliveryState
	Limit          int  // at most this many, newest first; 0 means DefaultDeliveryListLimit
	WithAddresses  bool // fill DeliveryRecord.WorkerEmail (the operator asked explicitly)
}

// DefaultDeliveryListLimit is how many deliveries the operator's listing shows by default.
const DefaultDeliveryListLimit = 100

// DeliveryRecord is a delivery as the operator lists it. WorkerEmail is empty unless the
// filter asked for addresses.
type DeliveryRecord struct {
	Delivery
	WorkerEmail string
}

// DeliveryStatusStore reads the delivery log. It writes nothing.
type DeliveryStatusStore interface {
	// ListNotificationSummaries returns up to p.Limit of the requester's notifications,
	// newest first (by creation time, then id), after p.After (zero: from the newest).
	ListNotificationSummaries(ctx context.Context, requesterID string, p Page) ([]NotificationSummary, error)
	// NotificationReport returns one of the requester's notifications with its
	// deliveries; ErrNotFound when it does not exist or is another requester's.
	NotificationReport(ctx context.Context, requesterID, notificationID string) (NotificationReport, error)
	// ListDeliveryRecords returns deliveries matching f, newest first.
	ListDeliveryRecords(ctx context.Context, f DeliveryFilter) ([]DeliveryRecord, error)
}

// notificationsListing names ListNotifications' NextTokens (see openPage).
const notificationsListing = "notifications"

// maxNotificationIDChars bounds the NotificationId a requester may send; ids we make are
// much shorter.
const maxNotificationIDChars = 64

// ListNotifications returns a page of the requester's notifications, newest first.
// nextToken and maxResults are nil when the client did not give them.
func (s *Service) ListNotifications(ctx context.Context, requesterID string, nextToken *string, maxResults *int64) (NotificationPage, error) {
	p, err := s.openPage(ctx, requesterID, notificationsListing, nextToken, maxResults)
	if err != nil {
		return NotificationPage{}, err
	}
	rows, err := s.store.ListNotificationSummaries(ctx, requesterID, p.fetchPage())
	if err != nil {
		return NotificationPage{}, Fault(err)
	}
	rows, tok, err := finishPage(ctx, s, requesterID, notificationsListing, p, rows, func(n NotificationSummary) Cursor { return Cursor{At: n.CreatedAt, ID: n.ID} })
	if err != nil {
		return NotificationPage{}, err
	}
	return NotificationPage{Notifications: rows, NextToken: tok}, nil
}

// NotificationReport returns one of the requester's notifications with a report per worker.
// Another requester's notification gets exactly the answer an unknown id gets, so that ids
// cannot be probed.
func (s *Service) NotificationReport(ctx context.Context, requesterID, notificationID string) (NotificationReport, error) {
	if notificationID == "" {
		return NotificationReport{}, Invalid("AWS.MechanicalTurk.MissingParameter",
			"Value for parameter NotificationId is required: the id NotifyWorkers returned in the X-Turkmail-Notification-Id header.")
	}
	if n := utf8.RuneCountInString(notificationID); n > maxNotificationIDChars || strings.ContainsFunc(notificationID, isControl) {
		return NotificationReport{}, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
			"Value for parameter NotificationId must be 1 to %d characters without control characters (got %d).", maxNotificationIDChars, n)
	}
	r, err := s.store.NotificationReport(ctx, requesterID, notificationID)
	if err != nil {
		return NotificationReport{}, s.notFound(err, "Notification %s does not exist.", notificationID)
	}
	return r, nil
}

// ParseDeliveryState reads a state name in any case ("Bounced", "bounced").
func ParseDeliveryState(s string) (DeliveryState, bool) {
	st := DeliveryState(strings.ToLower(strings.TrimSpace(s)))
	switch st {
	case DeliveryQueued, DeliverySending, DeliveryDeferred, DeliveryDelivered,
		DeliveryBounced, DeliveryExpired, DeliveryCancelled:
		return st, true
	}
	return "", false
}

// DeliveryRecords is the operator's listing of deliveries.
func (s *Service) DeliveryRecords(ctx context.Context, f DeliveryFilter) ([]DeliveryRecord, error) {
	if f.State != "" {
		st, ok := ParseDeliveryState(string(f.State))
		if !ok {
			return nil, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
				"State %q is not a delivery state: want queued, sending, deferred, delivered, bounced, expired or cancelled.", clip(string(f.State), 40))
		}
		f.State = st
	}
	if f.Limit < 0 {
		return nil, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "The limit must not be negative (got %d).", f.Limit)
	}
	if f.Limit == 0 {
		f.Limit = DefaultDeliveryListLimit
	}
	out, err := s.store.ListDeliveryRecords(ctx, f)
	if err != nil {
		return nil, Fault(err)
	}
	return out, nil
}
