package mturkapi

import "context"

type listHITsInput struct {
	NextToken  *string
	MaxResults *int64
}

type listHITsOutput struct {
	NextToken  *string    `json:"NextToken,omitempty"`
	NumResults int        `json:"NumResults"`
	HITs       []hitShape `json:"HITs"`
}

func listHITs(ctx context.Context, c *call, in *listHITsInput) (any, error) {
	l, err := c.svc.ListHITs(ctx, c.requesterID, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	return listHITsOutput{NextToken: l.NextToken, NumResults: len(l.HITs), HITs: toHITShapes(l.HITs, c.svc.Now())}, nil
}
