package mturkapi

import "context"

// deleteWorkerBlock: unblocking a worker who is not blocked succeeds, as in MTurk.
func deleteWorkerBlock(ctx context.Context, c *call, in *workerBlockInput) (any, error) {
	if err := c.svc.DeleteWorkerBlock(ctx, c.requesterID, in.WorkerId, in.Reason); err != nil {
		return nil, err
	}
	return empty{}, nil
}
