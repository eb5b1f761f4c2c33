package mturkapi

import (
	"context"

	"github.com/turkmail/turkmail"
)

type createHITWithHITTypeInput struct {
	HITTypeId *string
	turkmail.HITParams
}

func createHITWithHITType(ctx context.Context, c *call, in *createHITWithHITTypeInput) (any, error) {
	if _, err := entityID("HITTypeId", in.HITTypeId); err != nil {
		return nil, err
	}
	h, err := c.svc.CreateHITWithHITType(ctx, c.requesterID, in.HITTypeId, in.HITParams)
	if err != nil {
		return nil, err
	}
	return hitOutput{HIT: toHITShape(h, c.svc.Now())}, nil
}
