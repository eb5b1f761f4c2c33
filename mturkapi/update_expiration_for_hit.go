package mturkapi

import (
	"context"
	"time"
)

type updateExpirationForHITInput struct {
	HITId    *string
	ExpireAt *timestamp
}

// updateExpirationForHIT: a time in the past expires the HIT at once.
func updateExpirationForHIT(ctx context.Context, c *call, in *updateExpirationForHITInput) (any, error) {
	id, err := entityID("HITId", in.HITId)
	if err != nil {
		return nil, err
	}
	var at *time.Time
	if in.ExpireAt != nil {
		t := time.Time(*in.ExpireAt)
		at = &t
	}
	if err := c.svc.UpdateExpirationForHIT(ctx, c.requesterID, id, at); err != nil {
		return nil, err
	}
	return empty{}, nil
}
