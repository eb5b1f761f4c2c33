package mturkapi

import "context"

// deleteHIT disposes of a Reviewable HIT whose submitted assignments are all reviewed.
func deleteHIT(ctx context.Context, c *call, in *getHITInput) (any, error) {
	id, err := entityID("HITId", in.HITId)
	if err != nil {
		return nil, err
	}
	if err := c.svc.DeleteHIT(ctx, c.requesterID, id); err != nil {
		return nil, err
	}
	return empty{}, nil
}
