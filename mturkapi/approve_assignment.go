package mturkapi

import "context"

type approveAssignmentInput struct {
	AssignmentId      *string
	RequesterFeedback *string
	OverrideRejection *bool
}

func approveAssignment(ctx context.Context, c *call, in *approveAssignmentInput) (any, error) {
	id, err := entityID("AssignmentId", in.AssignmentId)
	if err != nil {
		return nil, err
	}
	override := in.OverrideRejection != nil && *in.OverrideRejection
	if err := c.svc.ApproveAssignment(ctx, c.requesterID, id, in.RequesterFeedback, override); err != nil {
		return nil, err
	}
	return empty{}, nil
}
