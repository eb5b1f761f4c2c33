package mturkapi

import "context"

type getHITInput struct {
	HITId *string
}

func getHIT(ctx context.Context, c *call, in *getHITInput) (any, error) {
	id, err := entityID("HITId", in.HITId)
	if err != nil {
		return nil, err
	}
	h, err := c.svc.GetHIT(ctx, c.requesterID, id)
	if err != nil {
		return nil, err
	}
	return hitOutput{HIT: toHITShape(h, c.svc.Now())}, nil
}
