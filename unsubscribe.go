package turkmail

import (
	"context"
	"errors"
	"time"
)

// UnsubscribePath is where the unsubscribe pages are served; an email's link is
// <public URL><UnsubscribePath><token> (see UnsubscribeToken).
const UnsubscribePath = "/unsubscribe/"

// Unsubscription is what the unsubscribe pages show the worker: which requester's email the
// link is about, and whether it is already stopped. It names no address.
type Unsubscription struct {
	WorkerID      string
	RequesterID   string
	RequesterName string
	OptedOutAt    time.Time // zero while the worker has not opted out
}

// Unsubscription reads what an unsubscribe link is about, recording nothing: mail scanners
// and link previews fetch links in emails, and a GET must not unsubscribe anyone. A token
// this deployment did not make, or that names an unknown worker or requester, is
// ErrNotFound, and nothing more is said about it.
func (s *Service) Unsubscription(ctx context.Context, token string) (Unsubscription, error) {
	u, err := s.openUnsubscription(ctx, token)
	if err != nil {
		return Unsubscription{}, err
	}
	o, err := s.store.OptOut(ctx, u.WorkerID, u.RequesterID)
	switch {
	case err == nil:
		u.OptedOutAt = o.CreatedAt
	case !errors.Is(err, ErrNotFound):
		return Unsubscription{}, Fault(err)
	}
	return u, nil
}

// Unsubscribe records the opt-out an unsubscribe link stands for. It is the one-click
// action of RFC 8058, so it is idempotent: a repeated POST (a mail provider retrying, the
// worker clicking twice) answers the same and keeps the first opt-out's time. Bad tokens
// are ErrNotFound, as in Unsubscription.
func (s *Service) Unsubscribe(ctx context.Context, token string) (Unsubscription, error) {
	u, err := s.openUnsubscription(ctx, token)
	if err != nil {
		return Unsubscription{}, err
	}
	o, _, err := s.OptOut(ctx, u.WorkerID, u.RequesterID)
	if err != nil {
		if AsError(err).Code == CodeRequestError {
			// A valid token for a worker that is not in the database: the operator's data
			// changed under the link. The worker learns nothing from the detail.
			return Unsubscription{}, ErrNotFound
		}
		return Unsubscription{}, err
	}
	u.OptedOutAt = o.CreatedAt
	return u, nil
}

func (s *Service) openUnsubscription(ctx context.Context, token string) (Unsubscription, error) {
	// A token is 16 bytes of MAC and two ids of at most 64 characters: anything much longer
	// was not made here, and is refused before it costs an HMAC.
	if token == "" || len(token) > 256 {
		return Unsubscription{}, ErrNotFound
	}
	workerID, requesterID, err := s.OpenUnsubscribeToken(ctx, token)
	if err != nil {
		if IsBadToken(err) {
			return Unsubscription{}, ErrNotFound
		}
		return Unsubscription{}, Fault(err)
	}
	r, err := s.store.Requester(ctx, requesterID)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return Unsubscription{}, ErrNotFound
		}
		return Unsubscription{}, Fault(err)
	}
	return Unsubscription{WorkerID: workerID, RequesterID: r.ID, RequesterName: r.Name}, nil
}
