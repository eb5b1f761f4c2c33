package turkmail

import (
	"context"
	"time"
)

// autoApproveBatch bounds one transaction of the auto-approval job, so that a backlog never
// holds a long write lock (SQLite has one writer).
const autoApproveBatch = 500

// AutoApprove approves every Submitted assignment whose auto-approval time has come, in
// batches, and returns how many it approved. Each batch is one conditional UPDATE that
// also records eligibility, so running it on several nodes at once approves each
// assignment exactly once.
func (s *Service) AutoApprove(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := s.store.AutoApprove(ctx, s.clock(), autoApproveBatch)
		total += n
		if err != nil {
			return total, Fault(err)
		}
		if n < autoApproveBatch {
			return total, nil
		}
	}
}

// RunAutoApproval runs AutoApprove every interval until ctx ends, and reports each run that
// approved something or failed. It returns when ctx is done.
func (s *Service) RunAutoApproval(ctx context.Context, interval time.Duration, report func(approved int, err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := s.AutoApprove(ctx)
		if (n > 0 || err != nil) && ctx.Err() == nil {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
