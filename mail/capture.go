package mail

import (
	"context"
	"errors"

	"github.com/turkmail/turkmail"
)

// CaptureStore keeps captured mail so that it can be listed and read instead of sent; the
// store package implements it.
type CaptureStore interface {
	CaptureMail(ctx context.Context, e turkmail.Envelope) error
}

// CaptureSender is the embedded default Sender: it stores each envelope instead of
// sending it, for offline use and tests of MTurk integrations.
type CaptureSender struct {
	Store CaptureStore
}

// Send stores e. A store failure is transient: the delivery is retried like a relay's 4xx.
// There is no relay to quote, so the Reply is zero and the delivery records no code.
func (c CaptureSender) Send(ctx context.Context, e turkmail.Envelope) (turkmail.Reply, error) {
	if err := c.Store.CaptureMail(ctx, e); err != nil {
		var se *turkmail.SendError
		if errors.As(err, &se) {
			return turkmail.Reply{}, se
		}
		return turkmail.Reply{}, &turkmail.SendError{Text: RedactAddresses("capture: " + err.Error())}
	}
	return turkmail.Reply{}, nil
}
