package mturkapi

import (
	"context"

	"github.com/turkmail/turkmail"
)

// createHITInput is CreateHIT's request: the HIT type's members and the HIT's own.
// AssignmentReviewPolicy, HITReviewPolicy and HITLayoutParameters are accepted and ignored.
type createHITInput struct {
	turkmail.NewHITType
	turkmail.HITParams
}

type hitOutput struct {
	HIT hitShape `json:"HIT"`
}

func createHIT(ctx context.Context, c *call, in *createHITInput) (any, error) {
	h, err := c.svc.CreateHIT(ctx, c.requesterID, in.NewHITType, in.HITParams)
	if err != nil {
		return nil, err
	}
	return hitOutput{HIT: toHITShape(h, c.svc.Now())}, nil
}
