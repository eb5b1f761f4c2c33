package turkmail

import (
	"context"
	"errors"
	"time"
)

// OptOut records that a worker wants no more email from one requester. Recording it is all
// an unsubscribe has to do: NotifyWorkers answers HardFailure for the pair from then on, and
// the dispatcher reads the same row at send time and cancels whatever was still queued
// (Outgoing.OptedOut), so a notification accepted a second before the opt-out is not sent.
type OptOut struct {
	WorkerID    string
	RequesterID string
	CreatedAt   time.Time
}

// OptOutStore keeps opt-outs.
type OptOutStore interface {
	// PutOptOut records o. An existing opt-out of the pair is kept as it is (its CreatedAt
	// too) and created is false, so that a repeated unsubscribe changes nothing.
	// ErrNotFound when the worker or the requester does not exist.
	PutOptOut(ctx context.Context, o OptOut) (created bool, err error)
	// DeleteOptOut removes the pair's opt-out; removed is false when there was none.
	// ErrNotFound when the worker or the requester does not exist.
	DeleteOptOut(ctx context.Context, workerID, requesterID string) (removed bool, err error)
	// OptOut returns the pair's opt-out, ErrNotFound when there is none.
	OptOut(ctx context.Context, workerID, requesterID string) (OptOut, error)
	// ListOptOuts returns the worker's opt-outs, oldest first.
	ListOptOuts(ctx context.Context, workerID string) ([]OptOut, error)
}

// OptOut records that workerID wants no more email from requesterID. It is idempotent:
// already is true when the pair had opted out before, and the first opt-out's time is kept.
func (s *Service) OptOut(ctx context.Context, workerID, requesterID string) (o OptOut, already bool, err error) {
	if err := s.checkOptOutPair(ctx, workerID, requesterID); err != nil {
		return OptOut{}, false, err
	}
	o = OptOut{WorkerID: workerID, RequesterID: requesterID, CreatedAt: s.clock()}
	created, err := s.store.PutOptOut(ctx, o)
	if err != nil {
		return OptOut{}, false, s.notFound(err, "Worker %s does not exist.", workerID)
	}
	if !created {
		// Report the stored row, not ours: the first opt-out's time is the one that counts.
		if o, err = s.store.OptOut(ctx, workerID, requesterID); err != nil {
			return OptOut{}, false, Fault(err)
		}
	}
	return o, !created, nil
}

// OptIn undoes an opt-out, for a worker who asked the operator to receive a requester's
// email again. wasOptedOut is false when there was nothing to undo. Deliveries cancelled
// while the opt-out stood stay cancelled.
func (s *Service) OptIn(ctx context.Context, workerID, requesterID string) (wasOptedOut bool, err error) {
	if err := s.checkOptOutPair(ctx, workerID, requesterID); err != nil {
		return false, err
	}
	removed, err := s.store.DeleteOptOut(ctx, workerID, requesterID)
	if err != nil {
		return false, s.notFound(err, "Worker %s does not exist.", workerID)
	}
	return removed, nil
}

// OptOuts lists the requesters a worker opted out of, oldest first.
func (s *Service) OptOuts(ctx context.Context, workerID string) ([]OptOut, error) {
	out, err := s.store.ListOptOuts(ctx, workerID)
	if err != nil {
		return nil, Fault(err)
	}
	return out, nil
}

// checkOptOutPair refuses a malformed worker id and an unknown requester with messages that
// name which one is wrong; an unknown worker is found by the store in its transaction.
func (s *Service) checkOptOutPair(ctx context.Context, workerID, requesterID string) error {
	if !ValidWorkerID(workerID) {
		return Invalid("AWS.MechanicalTurk.InvalidParameterValue",
			"Worker id %q is not valid: it must match ^A[A-Z0-9]+$ and be 2 to %d characters.", clip(workerID, 80), MaxWorkerIDLength)
	}
	if requesterID == "" {
		return Invalid("AWS.MechanicalTurk.InvalidParameterValue", "A requester id is required.")
	}
	if _, err := s.store.Requester(ctx, requesterID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return Invalid("AWS.MechanicalTurk.ResourceNotFound", "Requester %s does not exist.", clip(requesterID, 80))
		}
		return Fault(err)
	}
	return nil
}
