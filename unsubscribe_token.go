package turkmail

import (
	"context"
	"strings"
)

// unsubscribePurpose keys the HMAC of unsubscribe tokens apart from every other token.
const unsubscribePurpose = "unsubscribe"

// UnsubscribeToken returns the token of the one-click unsubscribe link in every email from
// requesterID to workerID: <public-url>/unsubscribe/<token>. It is deterministic (the same
// pair always gives the same token, so every attempt of a delivery carries the same link),
// never expires, and names only the two ids, so it reveals no address.
func (s *Service) UnsubscribeToken(ctx context.Context, workerID, requesterID string) (string, error) {
	// Ids match ^A[A-Z0-9]+$, so "." cannot occur in either and separates them unambiguously.
	return s.SignToken(ctx, unsubscribePurpose, []byte(workerID+"."+requesterID))
}

// OpenUnsubscribeToken returns the worker and requester an unsubscribe token was made for;
// an error for which IsBadToken is true if this deployment did not make it.
func (s *Service) OpenUnsubscribeToken(ctx context.Context, token string) (workerID, requesterID string, err error) {
	p, err := s.OpenToken(ctx, unsubscribePurpose, token)
	if err != nil {
		return "", "", err
	}
	workerID, requesterID, ok := strings.Cut(string(p), ".")
	if !ok || workerID == "" || requesterID == "" {
		return "", "", errBadToken
	}
	return workerID, requesterID, nil
}
