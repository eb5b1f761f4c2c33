package turkmail

import (
	"context"
	"fmt"
)

// Envelope is one composed email on its way to one recipient: one SMTP transaction, so a
// relay's answer about this address never mixes with another's.
type Envelope struct {
	From      string // envelope sender (MAIL FROM)
	To        string // the one recipient (RCPT TO)
	MessageID string // the Message-ID header's value, angle brackets included
	Data      []byte // the whole RFC 5322 message, CRLF line ends
}

// Sender hands an Envelope to a mail system. A nil error means the message was accepted
// (SMTP 2xx after DATA), and the Reply is the relay's acceptance, recorded with the delivery
// so that operator and requester see the relay's own words (often its queue id); a sender
// with no relay to quote (capture) returns the zero Reply. A failure is a *SendError where
// the sender could classify it.
type Sender interface {
	Send(ctx context.Context, e Envelope) (Reply, error)
}

// Reply is a relay's positive answer to a message. Text has every email address already
// removed, as in SendError.
type Reply struct {
	Code     int    // SMTP reply code, 250
	Enhanced string // RFC 3463 enhanced status code, e.g. "2.0.0"; may be empty
	Text     string // reply text, e.g. "Ok: queued as 4Xk2"
}

// SendError is a failed delivery attempt as the relay or the network reported it. Text has
// every email address already removed, so it may be stored and shown to requesters.
type SendError struct {
	Permanent bool   // 5xx: retrying will not help
	Code      int    // SMTP reply code; 0 for connection errors and timeouts
	Enhanced  string // RFC 3463 enhanced status code, e.g. "5.1.1"; may be empty
	Text      string // reply text or error description, addresses removed
}

func (e *SendError) Error() string {
	if e.Code == 0 {
		return e.Text
	}
	if e.Enhanced != "" {
		return fmt.Sprintf("%d %s %s", e.Code, e.Enhanced, e.Text)
	}
	return fmt.Sprintf("%d %s", e.Code, e.Text)
}
