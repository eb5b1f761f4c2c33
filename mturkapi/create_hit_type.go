package mturkapi

import (
	"context"

	"github.com/turkmail/turkmail"
)

type createHITTypeOutput struct {
	HITTypeId string `json:"HITTypeId"`
}

// createHITType: identical properties give the same HITTypeId, as in MTurk.
func createHITType(ctx context.Context, c *call, in *turkmail.NewHITType) (any, error) {
	t, err := c.svc.CreateHITType(ctx, c.requesterID, *in)
	if err != nil {
		return nil, err
	}
	return createHITTypeOutput{HITTypeId: t.ID}, nil
}
