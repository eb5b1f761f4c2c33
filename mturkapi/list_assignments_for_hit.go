package mturkapi

import "context"

type listAssignmentsForHITInput struct {
	HITId              *string
	NextToken          *string
	MaxResults         *int64
	AssignmentStatuses []string
}

type listAssignmentsForHITOutput struct {
	NextToken   *string           `json:"NextToken,omitempty"`
	NumResults  int               `json:"NumResults"`
	Assignments []assignmentShape `json:"Assignments"`
}

func listAssignmentsForHIT(ctx context.Context, c *call, in *listAssignmentsForHITInput) (any, error) {
	id, err := entityID("HITId", in.HITId)
	if err != nil {
		return nil, err
	}
	l, err := c.svc.ListAssignmentsForHIT(ctx, c.requesterID, id, in.AssignmentStatuses, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := listAssignmentsForHITOutput{NextToken: l.NextToken, NumResults: len(l.Assignments),
		Assignments: make([]assignmentShape, len(l.Assignments))}
	for i, a := range l.Assignments {
		out.Assignments[i] = toAssignmentShape(a)
	}
	return out, nil
}
