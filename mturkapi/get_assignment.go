package mturkapi

import "context"

type getAssignmentInput struct {
	AssignmentId *string
}

type getAssignmentOutput struct {
	Assignment assignmentShape `json:"Assignment"`
	HIT        hitShape        `json:"HIT"`
}

func getAssignment(ctx context.Context, c *call, in *getAssignmentInput) (any, error) {
	id, err := entityID("AssignmentId", in.AssignmentId)
	if err != nil {
		return nil, err
	}
	a, h, err := c.svc.GetAssignment(ctx, c.requesterID, id)
	if err != nil {
		return nil, err
	}
	return getAssignmentOutput{Assignment: toAssignmentShape(a), HIT: toHITShape(h, c.svc.Now())}, nil
}
