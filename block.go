package turkmail

import (
	"context"
	"time"
)

// Block keeps a worker from accepting a requester's HITs.
type Block struct {
	RequesterID string
	WorkerID    string
	Reason      string
	CreatedAt   time.Time
}

// BlockStore keeps worker blocks, per requester.
type BlockStore interface {
	// PutBlock blocks the worker, or replaces the reason of an existing block.
	PutBlock(ctx context.Context, b Block) error
	// DeleteBlock unblocks the worker; unblocking one who is not blocked is not an error.
	DeleteBlock(ctx context.Context, requesterID, workerID string) error
	Blocked(ctx context.Context, requesterID, workerID string) (bool, error)
	// ListBlocks returns up to page.Limit blocks with worker ids after page.After.ID.
	ListBlocks(ctx context.Context, requesterID string, page Page) ([]Block, error)
}

const maxBlockReason = 1024

func checkBlockWorker(workerID *string) (string, error) {
	if workerID == nil {
		return "", missing("WorkerId")
	}
	if !ValidWorkerID(*workerID) {
		return "", Invalid("AWS.MechanicalTurk.InvalidParameterValue", "WorkerId is invalid: it must match ^A[A-Z0-9]+$ and be 2 to 64 characters.")
	}
	return *workerID, nil
}

// CreateWorkerBlock blocks a worker from the requester's HITs. As in MTurk, the worker need
// not be known (a requester may block an id before it ever works).
func (s *Service) CreateWorkerBlock(ctx context.Context, requesterID string, workerID, reason *string) error {
	id, err := checkBlockWorker(workerID)
	if err != nil {
		return err
	}
	r, err := text("Reason", reason, true, maxBlockReason)
	if err != nil {
		return err
	}
	if err := s.store.PutBlock(ctx, Block{RequesterID: requesterID, WorkerID: id, Reason: r, CreatedAt: s.clock()}); err != nil {
		return Fault(err)
	}
	return nil
}

// DeleteWorkerBlock unblocks a worker; as in MTurk, unblocking one who is not blocked succeeds.
func (s *Service) DeleteWorkerBlock(ctx context.Context, requesterID string, workerID, reason *string) error {
	id, err := checkBlockWorker(workerID)
	if err != nil {
		return err
	}
	if _, err := text("Reason", reason, false, maxBlockReason); err != nil {
		return err
	}
	if err := s.store.DeleteBlock(ctx, requesterID, id); err != nil {
		return Fault(err)
	}
	return nil
}

// BlockList is a page of blocks.
type BlockList struct {
	Blocks    []Block
	NextToken *string
}

// ListWorkerBlocks returns a page of the requester's blocks, in worker id order.
func (s *Service) ListWorkerBlocks(ctx context.Context, requesterID string, token *string, maxResults *int64) (BlockList, error) {
	const listing = "blocks"
	page, err := s.openPage(ctx, requesterID, listing, token, maxResults)
	if err != nil {
		return BlockList{}, err
	}
	bs, err := s.store.ListBlocks(ctx, requesterID, page.fetchPage())
	if err != nil {
		return BlockList{}, Fault(err)
	}
	bs, next, err := finishPage(ctx, s, requesterID, listing, page, bs, func(b Block) Cursor { return Cursor{ID: b.WorkerID} })
	return BlockList{Blocks: bs, NextToken: next}, err
}
