package mturkapi

import "context"

type workerBlockInput struct {
	WorkerId *string
	Reason   *string
}

func createWorkerBlock(ctx context.Context, c *call, in *workerBlockInput) (any, error) {
	if err := c.svc.CreateWorkerBlock(ctx, c.requesterID, in.WorkerId, in.Reason); err != nil {
		return nil, err
	}
	return empty{}, nil
}
