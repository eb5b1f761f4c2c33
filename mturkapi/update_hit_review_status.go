package mturkapi

import "context"

type updateHITReviewStatusInput struct {
	HITId  *string
	Revert *bool
}

func updateHITReviewStatus(ctx context.Context, c *call, in *updateHITReviewStatusInput) (any, error) {
	id, err := entityID("HITId", in.HITId)
	if err != nil {
		return nil, err
	}
	revert := in.Revert != nil && *in.Revert
	if err := c.svc.UpdateHITReviewStatus(ctx, c.requesterID, id, revert); err != nil {
		return nil, err
	}
	return empty{}, nil
}
