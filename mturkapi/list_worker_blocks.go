package mturkapi

import "context"

type workerBlockShape struct {
	WorkerId string `json:"WorkerId"`
	Reason   string `json:"Reason"`
}

type listWorkerBlocksOutput struct {
	NextToken    *string            `json:"NextToken,omitempty"`
	NumResults   int                `json:"NumResults"`
	WorkerBlocks []workerBlockShape `json:"WorkerBlocks"`
}

func listWorkerBlocks(ctx context.Context, c *call, in *listHITsInput) (any, error) {
	l, err := c.svc.ListWorkerBlocks(ctx, c.requesterID, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := listWorkerBlocksOutput{NextToken: l.NextToken, NumResults: len(l.Blocks), WorkerBlocks: make([]workerBlockShape, len(l.Blocks))}
	for i, b := range l.Blocks {
		out.WorkerBlocks[i] = workerBlockShape{WorkerId: b.WorkerID, Reason: b.Reason}
	}
	return out, nil
}
