package turkmail

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// Assignment statuses. MTurk's API shows only Submitted, Approved and Rejected; Accepted is
// the worker's side before submission (an Accepted assignment past its deadline is abandoned).
const (
	StatusAccepted  = "Accepted"
	StatusSubmitted = "Submitted"
	StatusApproved  = "Approved"
	StatusRejected  = "Rejected"
)

// Assignment is one worker's work on one HIT.
type Assignment struct {
	ID                string
	HITID             string
	RequesterID       string
	WorkerID          string
	Status            string
	AcceptedAt        time.Time
	Deadline          time.Time
	SubmittedAt       time.Time // zero until submitted
	AutoApprovalTime  time.Time // zero until submitted
	ApprovedAt        time.Time
	RejectedAt        time.Time
	Answer            string
	RequesterFeedback string
}

// AssignmentStore keeps assignments. Each state change is one conditional UPDATE (the
// current state in its WHERE), so concurrent nodes cannot both make it; a change that did
// not apply is ErrConflict, and the Service re-reads to say why. Approving or rejecting
// records the (requester, worker) pair in the eligibility table in the same transaction.
type AssignmentStore interface {
	// AcceptAssignment stores a (Accepted) if, at now, its HIT is not disposed, not expired,
	// has a slot left and its requester has not blocked the worker (else ErrConflict);
	// ErrDuplicate if the worker already has an assignment for the HIT.
	AcceptAssignment(ctx context.Context, a Assignment, now time.Time) error
	Assignment(ctx context.Context, requesterID, id string) (Assignment, error)
	// AssignmentForWorker reads an assignment whatever its requester (the worker side).
	AssignmentForWorker(ctx context.Context, id string) (Assignment, error)
	// SubmitAssignment moves Accepted → Submitted if the deadline has not passed at now.
	SubmitAssignment(ctx context.Context, id, answer string, now, autoApproveAt time.Time) error
	// ApproveAssignment moves Submitted → Approved; with overrideSince set, also Rejected →
	// Approved when submitted at or after overrideSince and its HIT is not disposed.
	ApproveAssignment(ctx context.Context, requesterID, id, feedback string, now, overrideSince time.Time) error
	// RejectAssignment moves Submitted → Rejected.
	RejectAssignment(ctx context.Context, requesterID, id, feedback string, now time.Time) error
	// ListAssignments returns up to page.Limit assignments of a HIT in the given statuses,
	// after page.After in (AcceptedAt, ID) order.
	ListAssignments(ctx context.Context, requesterID, hitID string, statuses []string, page Page) ([]Assignment, error)
	// AutoApprove approves up to limit Submitted assignments whose auto-approval time is at
	// or before now, and returns how many it approved. Safe to run on several nodes at once.
	AutoApprove(ctx context.Context, now time.Time, limit int) (int, error)
}

const (
	maxFeedback     = 1024
	maxAnswerBytes  = 512 * 1024
	overrideWindow  = 30 * 24 * time.Hour
	answerNamespace = "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd"
)

// EmptyAnswer is the answer of an assignment submitted without one.
const EmptyAnswer = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<QuestionFormAnswers xmlns="` + answerNamespace + `"></QuestionFormAnswers>`

// AcceptAssignment is the worker side: workerID takes one slot of hitID. The HIT must be
// assignable (not expired or deleted, a slot left) and its requester must not have blocked
// the worker.
func (s *Service) AcceptAssignment(ctx context.Context, hitID, workerID string) (Assignment, error) {
	now := s.clock()
	if _, err := s.store.Worker(ctx, workerID); err != nil {
		return Assignment{}, s.notFound(err, "Worker %s does not exist.", clip(workerID, 80))
	}
	h, err := s.store.HITForWorker(ctx, hitID, now)
	if err != nil {
		return Assignment{}, s.hitNotFound(err, hitID)
	}
	a := Assignment{ID: s.ids.objectID(), HITID: h.ID, RequesterID: h.RequesterID, WorkerID: workerID,
		Status: StatusAccepted, AcceptedAt: now, Deadline: now.Add(h.Type.AssignmentDuration)}
	err = s.store.AcceptAssignment(ctx, a, now)
	switch {
	case err == nil:
		return a, nil
	case errors.Is(err, ErrDuplicate):
		return Assignment{}, Invalid("AWS.MechanicalTurk.HITNotAssignable", "Worker %s already has an assignment for HIT %s.", workerID, hitID)
	case !errors.Is(err, ErrConflict):
		return Assignment{}, Fault(err)
	}
	// Re-read to say why it was refused.
	if h, err = s.store.HITForWorker(ctx, hitID, now); err != nil {
		return Assignment{}, s.hitNotFound(err, hitID)
	}
	blocked, err := s.store.Blocked(ctx, h.RequesterID, workerID)
	switch {
	case err != nil:
		return Assignment{}, Fault(err)
	case h.Disposed:
		return Assignment{}, Invalid("AWS.MechanicalTurk.HITNotAssignable", "HIT %s has been deleted and cannot be accepted.", hitID)
	case !now.Before(h.Expiration):
		return Assignment{}, Invalid("AWS.MechanicalTurk.HITNotAssignable", "HIT %s expired at %s and can no longer be accepted.", hitID, h.Expiration.Format(time.RFC3339))
	case blocked:
		return Assignment{}, Invalid("AWS.MechanicalTurk.HITNotAssignable", "Worker %s is blocked by the requester of HIT %s.", workerID, hitID)
	case h.Available() == 0:
		return Assignment{}, Invalid("AWS.MechanicalTurk.HITNotAssignable", "HIT %s has no assignments left to accept (all %d are taken).", hitID, h.MaxAssignments)
	}
	return Assignment{}, Fault(fmt.Errorf("accept %s by %s refused for no reason found on re-read", hitID, workerID))
}

// SubmitAssignment is the worker side: the answer (QuestionFormAnswers XML, kept as given;
// empty means no answer) is recorded and the assignment awaits review.
func (s *Service) SubmitAssignment(ctx context.Context, assignmentID, answer string) (Assignment, error) {
	if answer == "" {
		answer = EmptyAnswer
	}
	if err := checkAnswer(answer); err != nil {
		return Assignment{}, err
	}
	now := s.clock()
	a, err := s.store.AssignmentForWorker(ctx, assignmentID)
	if err != nil {
		return Assignment{}, s.assignmentNotFound(err, assignmentID)
	}
	h, err := s.store.HITForWorker(ctx, a.HITID, now)
	if err != nil {
		return Assignment{}, Fault(err)
	}
	autoAt := now.Add(h.Type.AutoApprovalDelay)
	err = s.store.SubmitAssignment(ctx, assignmentID, answer, now, autoAt)
	if errors.Is(err, ErrConflict) {
		if a, err = s.store.AssignmentForWorker(ctx, assignmentID); err != nil {
			return Assignment{}, s.assignmentNotFound(err, assignmentID)
		}
		if a.Status != StatusAccepted {
			return Assignment{}, Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s was already submitted (it is %s).", assignmentID, a.Status)
		}
		return Assignment{}, Invalid("AWS.MechanicalTurk.InvalidAssignmentState",
			"Assignment %s passed its deadline at %s and was abandoned; it can no longer be submitted.", assignmentID, a.Deadline.Format(time.RFC3339))
	}
	if err != nil {
		return Assignment{}, s.assignmentNotFound(err, assignmentID)
	}
	a.Status, a.SubmittedAt, a.AutoApprovalTime, a.Answer = StatusSubmitted, now, autoAt, answer
	return a, nil
}

// checkAnswer requires well-formed XML whose root is QuestionFormAnswers.
func checkAnswer(answer string) error {
	if len(answer) > maxAnswerBytes {
		return Invalid("AWS.MechanicalTurk.InvalidParameterValue", "The answer must be at most %d bytes (got %d).", maxAnswerBytes, len(answer))
	}
	if !utf8.ValidString(answer) {
		return Invalid("AWS.MechanicalTurk.InvalidParameterValue", "The answer is not valid UTF-8.")
	}
	root, err := xmlRoot(answer)
	if err != nil {
		return Invalid("AWS.MechanicalTurk.XMLParseError", "The answer is not well-formed XML: %v.", err)
	}
	if root != "QuestionFormAnswers" {
		return Invalid("AWS.MechanicalTurk.XMLParseError", "The answer must be a QuestionFormAnswers document (got root element %q).", clip(root, 40))
	}
	return nil
}

func (s *Service) assignmentNotFound(err error, id string) error {
	return s.notFound(err, "Assignment %s does not exist.", clip(id, 80))
}

// GetAssignment returns one of the requester's submitted assignments and its HIT.
func (s *Service) GetAssignment(ctx context.Context, requesterID, id string) (Assignment, HIT, error) {
	a, err := s.store.Assignment(ctx, requesterID, id)
	if err != nil {
		return Assignment{}, HIT{}, s.assignmentNotFound(err, id)
	}
	if a.Status == StatusAccepted {
		return Assignment{}, HIT{}, Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s has not been submitted yet.", id)
	}
	h, err := s.store.HIT(ctx, requesterID, a.HITID, s.clock())
	if err != nil {
		return Assignment{}, HIT{}, Fault(err)
	}
	return a, h, nil
}

// AssignmentList is a page of assignments.
type AssignmentList struct {
	Assignments []Assignment
	NextToken   *string
}

var reviewStatuses = []string{StatusSubmitted, StatusApproved, StatusRejected}

// ListAssignmentsForHIT returns a page of a HIT's submitted, approved or rejected
// assignments (statuses narrows that), in the order they were accepted.
func (s *Service) ListAssignmentsForHIT(ctx context.Context, requesterID, hitID string, statuses []string, token *string, maxResults *int64) (AssignmentList, error) {
	want := map[string]bool{}
	for _, st := range statuses {
		if st != StatusSubmitted && st != StatusApproved && st != StatusRejected {
			return AssignmentList{}, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
				"AssignmentStatuses may hold only Submitted, Approved and Rejected (got %q).", clip(st, 40))
		}
		want[st] = true
	}
	var sts []string
	listing := "assignments\x00" + hitID
	for _, st := range reviewStatuses {
		if len(want) == 0 || want[st] {
			sts = append(sts, st)
			listing += "\x00" + st
		}
	}
	page, err := s.openPage(ctx, requesterID, listing, token, maxResults)
	if err != nil {
		return AssignmentList{}, err
	}
	if _, err := s.store.HIT(ctx, requesterID, hitID, s.clock()); err != nil {
		return AssignmentList{}, s.hitNotFound(err, hitID)
	}
	as, err := s.store.ListAssignments(ctx, requesterID, hitID, sts, page.fetchPage())
	if err != nil {
		return AssignmentList{}, Fault(err)
	}
	as, next, err := finishPage(ctx, s, requesterID, listing, page, as, func(a Assignment) Cursor { return Cursor{At: a.AcceptedAt, ID: a.ID} })
	return AssignmentList{Assignments: as, NextToken: next}, err
}

// ApproveAssignment approves a Submitted assignment, or, with override, a Rejected one
// submitted within the last 30 days whose HIT is not deleted.
func (s *Service) ApproveAssignment(ctx context.Context, requesterID, id string, feedback *string, override bool) error {
	fb, err := text("RequesterFeedback", feedback, false, maxFeedback)
	if err != nil {
		return err
	}
	now := s.clock()
	var since time.Time
	if override {
		since = now.Add(-overrideWindow)
	}
	err = s.store.ApproveAssignment(ctx, requesterID, id, fb, now, since)
	return s.assignmentChanged(ctx, requesterID, id, err, func(a Assignment) error {
		switch a.Status {
		case StatusAccepted:
			return Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s has not been submitted yet; only a submitted assignment can be approved.", id)
		case StatusApproved:
			return Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s is already approved.", id)
		case StatusRejected:
			if !override {
				return Invalid("AWS.MechanicalTurk.InvalidAssignmentState",
					"Assignment %s was rejected; to approve it, set OverrideRejection to true (possible within 30 days of its submission).", id)
			}
			if a.SubmittedAt.Before(since) {
				return Invalid("AWS.MechanicalTurk.InvalidAssignmentState",
					"Assignment %s was submitted on %s, more than 30 days ago; its rejection can no longer be overridden.", id, a.SubmittedAt.Format(time.DateOnly))
			}
			return Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "The HIT of assignment %s has been deleted; its rejection can no longer be overridden.", id)
		}
		return Fault(fmt.Errorf("approve %s refused while %s", id, a.Status))
	})
}

// RejectAssignment rejects a Submitted assignment; feedback is required (MTurk's rule).
func (s *Service) RejectAssignment(ctx context.Context, requesterID, id string, feedback *string) error {
	fb, err := text("RequesterFeedback", feedback, true, maxFeedback)
	if err != nil {
		return err
	}
	err = s.store.RejectAssignment(ctx, requesterID, id, fb, s.clock())
	return s.assignmentChanged(ctx, requesterID, id, err, func(a Assignment) error {
		switch a.Status {
		case StatusAccepted:
			return Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s has not been submitted yet; only a submitted assignment can be rejected.", id)
		case StatusApproved:
			return Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s is already approved; an approved assignment cannot be rejected.", id)
		case StatusRejected:
			return Invalid("AWS.MechanicalTurk.InvalidAssignmentState", "Assignment %s is already rejected.", id)
		}
		return Fault(fmt.Errorf("reject %s refused while %s", id, a.Status))
	})
}

// assignmentChanged finishes a requester's conditional change of an assignment: the store
// refuses one the row's state does not allow (ErrConflict) without saying why, so why
// explains it from the assignment as it is now.
func (s *Service) assignmentChanged(ctx context.Context, requesterID, id string, err error, why func(Assignment) error) error {
	if !errors.Is(err, ErrConflict) {
		if err != nil {
			return s.assignmentNotFound(err, id)
		}
		return nil
	}
	a, err := s.store.Assignment(ctx, requesterID, id)
	if err != nil {
		return s.assignmentNotFound(err, id)
	}
	return why(a)
}
