package mturkapi

import "context"

type rejectAssignmentInput struct {
	AssignmentId      *string
	RequesterFeedback *string
}

func rejectAssignment(ctx context.Context, c *call, in *rejectAssignmentInput) (any, error) {
	id, err := entityID("AssignmentId", in.AssignmentId)
	if err != nil {
		return nil, err
	}
	if err := c.svc.RejectAssignment(ctx, c.requesterID, id, in.RequesterFeedback); err != nil {
		return nil, err
	}
	return empty{}, nil
}
