package outbox

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
)

// Texts recorded for deliveries that were not handed to the sender.
const (
	textOptedOut   = "not sent: the worker opted out of this requester's email"
	textSuppressed = "not sent: the address is suppressed after an earlier permanent failure"
	textNoAddress  = "not sent: the worker has no email address"
	textLeaseLost  = "not sent: the lease ran out before the send began"
)

// abandoned marks a result that must not be written: the lease ran out before we sent,
// so the row belongs to whoever claims it next.
const abandoned turkmail.DeliveryState = ""

// attempt decides one claimed delivery: not sent (opted out, suppressed, lease gone,
// shutting down), or composed, sent on sendCtx and classified. ctx is the dispatcher's
// own: once it is cancelled, rows not yet begun are handed back.
func (d *Dispatcher) attempt(ctx, sendCtx context.Context, o turkmail.Outgoing) turkmail.DeliveryResult {
	r := turkmail.DeliveryResult{ID: o.ID}
	switch {
	case ctx.Err() != nil:
		r.State = turkmail.DeliveryQueued
		return r
	case o.OptedOut:
		r.State, r.Text = turkmail.DeliveryCancelled, textOptedOut
		return r
	case o.Suppressed:
		r.State, r.Text = turkmail.DeliveryBounced, textSuppressed
		return r
	case strings.TrimSpace(o.WorkerEmail) == "":
		r.State, r.Text = turkmail.DeliveryBounced, textNoAddress
		return r
	}
	// A send that starts after the lease ran out may race the dispatcher that took the
	// row over; leave it to them. A tenth of the lease is kept as margin for the send.
	if !d.c.Now().Before(o.DueAt.Add(-d.c.Lease / 10)) {
		r.State, r.Text = abandoned, textLeaseLost
		return r
	}
	env, err := d.envelope(sendCtx, o)
	if err != nil {
		var fe *mail.FieldError
		if errors.As(err, &fe) {
			// The stored data cannot make a valid message; retrying will not change it.
			r.State, r.Text = turkmail.DeliveryBounced, "not sent: "+mail.RedactAddresses(fe.Error())
			return r
		}
		d.c.Log.Warn("composing a delivery failed; deferring it", "delivery", o.ID, "error", err)
		return d.transient(o, &turkmail.SendError{Text: "not sent: " + mail.RedactAddresses(err.Error())})
	}
	start := time.Now()
	reply, err := d.c.Sender.Send(sendCtx, env)
	d.c.Metrics.sent(time.Since(start).Seconds())
	if err == nil {
		// The relay's 250 and its text (its queue id, usually) are recorded like a failure's
		// reply, so that the status shows what the relay said either way.
		r.State, r.Code, r.Enhanced, r.Text = turkmail.DeliveryDelivered, reply.Code, reply.Enhanced, mail.RedactAddresses(reply.Text)
		return r
	}
	var se *turkmail.SendError
	if !errors.As(err, &se) {
		se = &turkmail.SendError{Text: mail.RedactAddresses(err.Error())}
	}
	if !se.Permanent && sendCtx.Err() != nil {
		// Cut off by shutdown after the grace period: hand it back to go out at once
		// after the restart; if the relay had it already, the copy has the same Message-ID.
		r.State = turkmail.DeliveryQueued
		return r
	}
	if se.Permanent {
		return d.bounce(o, se)
	}
	return d.transient(o, se)
}

// bounce records a permanent failure. A 5xx about the recipient puts the address on the
// suppression list; one that names our sender (X.1.7, X.1.8) or the message content (X.6.x)
// is not the address's fault and must not suppress every recipient.
func (d *Dispatcher) bounce(o turkmail.Outgoing, se *turkmail.SendError) turkmail.DeliveryResult {
	r := turkmail.DeliveryResult{ID: o.ID, State: turkmail.DeliveryBounced, Code: se.Code, Enhanced: se.Enhanced,
		Text: mail.RedactAddresses(se.Text)}
	if se.Code >= 500 && se.Code < 600 && !notAboutRecipient(se.Enhanced) {
		r.Suppress = o.WorkerEmail
	}
	return r
}

func notAboutRecipient(enhanced string) bool {
	_, rest, _ := strings.Cut(enhanced, ".")
	return rest == "1.7" || rest == "1.8" || strings.HasPrefix(rest, "6.")
}

// transient defers o with backoff, or expires it past the queue lifetime.
func (d *Dispatcher) transient(o turkmail.Outgoing, se *turkmail.SendError) turkmail.DeliveryResult {
	r := turkmail.DeliveryResult{ID: o.ID, Code: se.Code, Enhanced: se.Enhanced, Text: mail.RedactAddresses(se.Text)}
	next, ok := d.c.Retry.Next(o.CreatedAt, d.c.Now(), o.Attempts, d.c.Jitter())
	if !ok {
		r.State = turkmail.DeliveryExpired
		return r
	}
	r.State, r.DueAt = turkmail.DeliveryDeferred, next
	return r
}

// envelope composes o's email. Everything varying per attempt is the Date header; the
// Message-ID and the unsubscribe link are the same on every attempt.
func (d *Dispatcher) envelope(ctx context.Context, o turkmail.Outgoing) (turkmail.Envelope, error) {
	token, err := d.c.Service.UnsubscribeToken(ctx, o.WorkerID, o.RequesterID)
	if err != nil {
		return turkmail.Envelope{}, err
	}
	msgID := o.MessageID
	if !strings.HasPrefix(msgID, "<") {
		msgID = "<" + msgID + ">"
	}
	data, err := mail.Compose(mail.Message{
		MessageID:      msgID,
		Date:           d.c.Now(),
		FromAddress:    d.c.From,
		FromName:       o.RequesterName,
		To:             strings.TrimSpace(o.WorkerEmail),
		ReplyTo:        o.RequesterContact,
		Subject:        o.Subject,
		RequesterName:  o.RequesterName,
		Text:           o.MessageText,
		WorkerID:       o.WorkerID,
		UnsubscribeURL: d.c.PublicURL + "/unsubscribe/" + token,
	})
	if err != nil {
		return turkmail.Envelope{}, err
	}
	return turkmail.Envelope{From: d.c.From, To: strings.TrimSpace(o.WorkerEmail), MessageID: msgID, Data: data}, nil
}
