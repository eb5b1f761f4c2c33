package mturkapi

import "context"

type listReviewableHITsInput struct {
	HITTypeId  *string
	Status     *string
	NextToken  *string
	MaxResults *int64
}

func listReviewableHITs(ctx context.Context, c *call, in *listReviewableHITsInput) (any, error) {
	if in.HITTypeId != nil {
		if _, err := entityID("HITTypeId", in.HITTypeId); err != nil {
			return nil, err
		}
	}
	l, err := c.svc.ListReviewableHITs(ctx, c.requesterID, in.HITTypeId, in.Status, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return listHITsOutput{NextToken: l.NextToken, NumResults: len(l.HITs), HITs: toHITShapes(l.HITs, c.svc.Now())}, nil
}
