package turkmail

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// HIT is a task a requester publishes; workers accept and submit its assignments.
type HIT struct {
	ID                  string
	RequesterID         string
	Type                HITType
	HITGroupID          string
	HITLayoutID         string
	Question            string
	RequesterAnnotation string
	UniqueRequestToken  string
	MaxAssignments      int64
	Expiration          time.Time
	ReviewStatus        string // MTurk's HITReviewStatus; always NotReviewed here
	Disposed            bool
	Reviewing           bool // the requester's mark (UpdateHITReviewStatus); shows only while the HIT is otherwise Reviewable
	CreatedAt           time.Time

	// Counts at the time of reading (the store computes them for its "now").
	Pending   int64 // accepted, deadline not passed, not submitted
	Taken     int64 // pending + submitted + approved + rejected: the slots in use
	Completed int64 // approved or rejected
}

// HIT statuses, as MTurk names them.
const (
	HITAssignable   = "Assignable"
	HITUnassignable = "Unassignable"
	HITReviewable   = "Reviewable"
	HITReviewing    = "Reviewing"
	HITDisposed     = "Disposed"
)

// Available is how many more workers may accept the HIT, expiry aside.
func (h HIT) Available() int64 { return max(h.MaxAssignments-h.Taken, 0) }

// Status derives MTurk's HITStatus at now: Assignable while it can be accepted; Unassignable
// while it cannot but work is in progress; Reviewable once it is expired or full with no work
// in progress, or Reviewing if the requester marked it so (UpdateHITReviewStatus).
func (h HIT) Status(now time.Time) string {
	switch {
	case h.Disposed:
		return HITDisposed
	case now.Before(h.Expiration) && h.Available() > 0:
		return HITAssignable
	case h.Pending > 0:
		return HITUnassignable
	case h.Reviewing:
		return HITReviewing
	default:
		return HITReviewable
	}
}

// HITParams are the members CreateHIT and CreateHITWithHITType share (MTurk's names).
type HITParams struct {
	MaxAssignments      *int64
	LifetimeInSeconds   *int64
	Question            *string
	RequesterAnnotation *string
	UniqueRequestToken  *string
	HITLayoutId         *string
}

// HITQuery selects a requester's HITs for ListHITs and ListReviewableHITs.
type HITQuery struct {
	Status    string // "" for any; else HITReviewable or HITReviewing at Now
	HITTypeID string // "" for any
	Now       time.Time
	Page      Page
}

// HITStore keeps HIT types and HITs. Every method but HITForWorker is scoped to a
// requester: another requester's id is ErrNotFound.
type HITStore interface {
	// PutHITType stores t unless the requester already has a type with t.Fingerprint, and
	// returns the stored one either way.
	PutHITType(ctx context.Context, t HITType) (HITType, error)
	HITType(ctx context.Context, requesterID, id string) (HITType, error)
	// CreateHIT stores h; ErrDuplicate if one of the requester's HITs created after
	// tokensSince carries h.UniqueRequestToken. An older HIT gives the token up.
	CreateHIT(ctx context.Context, h HIT, tokensSince time.Time) error
	HITIDByToken(ctx context.Context, requesterID, token string) (string, error)
	HIT(ctx context.Context, requesterID, id string, now time.Time) (HIT, error)
	// HITForWorker reads a HIT whatever its requester: the worker side has no requester.
	HITForWorker(ctx context.Context, id string, now time.Time) (HIT, error)
	// ListHITs returns up to q.Page.Limit HITs after q.Page.After in (CreatedAt, ID) order,
	// disposed ones excluded.
	ListHITs(ctx context.Context, requesterID string, q HITQuery) ([]HIT, error)
	// UpdateHITExpiration sets the expiry of a HIT that is not disposed (else ErrConflict).
	UpdateHITExpiration(ctx context.Context, requesterID, id string, at time.Time) error
	// SetHITReviewing marks a Reviewable HIT Reviewing (reviewing true) or a Reviewing one
	// Reviewable again (false), in one conditional UPDATE; any other state is ErrConflict.
	SetHITReviewing(ctx context.Context, requesterID, id string, reviewing bool, now time.Time) error
	// DisposeHIT marks a HIT disposed if it is Reviewable (or Reviewing) at now with no submitted
	// assignment left unreviewed (else ErrConflict), in one conditional UPDATE.
	DisposeHIT(ctx context.Context, requesterID, id string, now time.Time) error
}

const (
	maxQuestionBytes     = 65535
	maxAnnotation        = 255
	maxAssignmentsPerHIT = 1000000
	maxLifetimeSeconds   = 365 * 24 * 3600
	// MTurk keeps a UniqueRequestToken for 24 hours; after that the same token makes a new HIT.
	uniqueTokenLifetime = 24 * time.Hour
)

// CreateHIT makes (or reuses) the HIT type described by t and creates a HIT of it.
func (s *Service) CreateHIT(ctx context.Context, requesterID string, t NewHITType, p HITParams) (HIT, error) {
	// Check the HIT's own members first, so a bad one never leaves a stray HIT type behind.
	if _, err := s.checkHITParams(p, s.clock()); err != nil {
		return HIT{}, err
	}
	typ, err := s.CreateHITType(ctx, requesterID, t)
	if err != nil {
		return HIT{}, err
	}
	return s.createHIT(ctx, requesterID, typ, p)
}

// CreateHITWithHITType creates a HIT of an existing HIT type of the requester.
func (s *Service) CreateHITWithHITType(ctx context.Context, requesterID string, hitTypeID *string, p HITParams) (HIT, error) {
	if hitTypeID == nil {
		return HIT{}, missing("HITTypeId")
	}
	if _, err := s.checkHITParams(p, s.clock()); err != nil {
		return HIT{}, err
	}
	typ, err := s.store.HITType(ctx, requesterID, *hitTypeID)
	if err != nil {
		return HIT{}, s.notFound(err, "HITTypeId %s does not exist.", clip(*hitTypeID, 80))
	}
	return s.createHIT(ctx, requesterID, typ, p)
}

// checkHITParams validates p into a HIT created at now (one clock reading, so that
// Expiration - CreationTime is exactly the lifetime asked for).
func (s *Service) checkHITParams(p HITParams, now time.Time) (HIT, error) {
	h := HIT{CreatedAt: now}
	lifetime, err := seconds("LifetimeInSeconds", p.LifetimeInSeconds, true, minDurationSeconds, maxLifetimeSeconds, 0)
	if err != nil {
		return h, err
	}
	h.Expiration = now.Add(lifetime)
	h.MaxAssignments = 1
	if p.MaxAssignments != nil {
		if *p.MaxAssignments < 1 || *p.MaxAssignments > maxAssignmentsPerHIT {
			return h, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "MaxAssignments must be between 1 and %d (got %d).", maxAssignmentsPerHIT, *p.MaxAssignments)
		}
		h.MaxAssignments = *p.MaxAssignments
	}
	if h.RequesterAnnotation, err = text("RequesterAnnotation", p.RequesterAnnotation, false, maxAnnotation); err != nil {
		return h, err
	}
	if p.UniqueRequestToken != nil {
		if n := len(*p.UniqueRequestToken); n < 1 || n > 64 {
			return h, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "UniqueRequestToken must be 1 to 64 characters (got %d).", n)
		}
		h.UniqueRequestToken = *p.UniqueRequestToken
	}
	if p.HITLayoutId != nil {
		if !validEntityID(*p.HITLayoutId) {
			return h, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "HITLayoutId must be 1 to 64 upper-case letters or digits.")
		}
		h.HITLayoutID = *p.HITLayoutId
	}
	switch {
	case p.Question == nil && p.HITLayoutId == nil:
		return h, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "The request must include Question (or HITLayoutId).")
	case p.Question != nil && p.HITLayoutId != nil:
		return h, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "Give either Question or HITLayoutId, not both.")
	case p.Question != nil:
		if err := checkQuestion(*p.Question); err != nil {
			return h, err
		}
		h.Question = *p.Question
	}
	return h, nil
}

// questionRoots are the three documents MTurk accepts as a Question.
var questionRoots = map[string]bool{"QuestionForm": true, "ExternalQuestion": true, "HTMLQuestion": true}

// xmlRoot reads the whole of doc and returns its root element's local name; an error if
// doc is not well-formed XML.
func xmlRoot(doc string) (string, error) {
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := ""
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return root, nil
		}
		if err != nil {
			return "", err
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
}

// checkQuestion checks that q is well-formed XML of at most 64 KB whose root is a
// QuestionForm, ExternalQuestion or HTMLQuestion. The content is kept exactly as given.
func checkQuestion(q string) error {
	if len(q) > maxQuestionBytes {
		return Invalid("AWS.MechanicalTurk.XMLParseError", "Question must be at most %d bytes (got %d).", maxQuestionBytes, len(q))
	}
	root, err := xmlRoot(q)
	if err != nil {
		return Invalid("AWS.MechanicalTurk.XMLParseError", "Question is not well-formed XML: %v.", err)
	}
	if !questionRoots[root] {
		return Invalid("AWS.MechanicalTurk.XMLParseError",
			"Question must be a QuestionForm, ExternalQuestion or HTMLQuestion document (got root element %q).", clip(root, 40))
	}
	return nil
}

func (s *Service) createHIT(ctx context.Context, requesterID string, typ HITType, p HITParams) (HIT, error) {
	h, err := s.checkHITParams(p, s.clock())
	if err != nil {
		return HIT{}, err
	}
	h.ID = s.ids.objectID()
	h.RequesterID = requesterID
	h.Type = typ
	h.HITGroupID = typ.ID // MTurk groups HITs by type: one group per type here
	h.ReviewStatus = "NotReviewed"
	if err := s.store.CreateHIT(ctx, h, h.CreatedAt.Add(-uniqueTokenLifetime)); err != nil {
		if errors.Is(err, ErrDuplicate) && h.UniqueRequestToken != "" {
			id, lerr := s.store.HITIDByToken(ctx, requesterID, h.UniqueRequestToken)
			if lerr != nil {
				return HIT{}, Fault(errors.Join(err, lerr))
			}
			return HIT{}, Invalid("AWS.MechanicalTurk.HitAlreadyExists",
				"There is already a HIT with this UniqueRequestToken: HITId %s.", id)
		}
		return HIT{}, Fault(err)
	}
	return h, nil
}

// GetHIT returns one of the requester's HITs.
func (s *Service) GetHIT(ctx context.Context, requesterID, id string) (HIT, error) {
	h, err := s.store.HIT(ctx, requesterID, id, s.clock())
	if err != nil {
		return HIT{}, s.hitNotFound(err, id)
	}
	return h, nil
}

func (s *Service) hitNotFound(err error, id string) error {
	return s.notFound(err, "Hit %s does not exist.", clip(id, 80))
}

// HITList is a page of HITs.
type HITList struct {
	HITs      []HIT
	NextToken *string
}

// ListHITs returns a page of the requester's HITs that are not disposed, oldest first.
func (s *Service) ListHITs(ctx context.Context, requesterID string, token *string, maxResults *int64) (HITList, error) {
	return s.listHITs(ctx, requesterID, "hits", HITQuery{}, token, maxResults)
}

// ListReviewableHITs returns a page of the requester's Reviewable (or Reviewing) HITs,
// optionally of one HIT type.
func (s *Service) ListReviewableHITs(ctx context.Context, requesterID string, hitTypeID, status *string, token *string, maxResults *int64) (HITList, error) {
	q := HITQuery{Status: HITReviewable}
	if hitTypeID != nil {
		q.HITTypeID = *hitTypeID
	}
	if status != nil {
		q.Status = *status
	}
	if q.Status != HITReviewable && q.Status != HITReviewing {
		return HITList{}, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "Status must be Reviewable or Reviewing (got %q).", clip(q.Status, 40))
	}
	listing := fmt.Sprintf("reviewable\x00%s\x00%s", q.HITTypeID, q.Status)
	return s.listHITs(ctx, requesterID, listing, q, token, maxResults)
}

func (s *Service) listHITs(ctx context.Context, requesterID, listing string, q HITQuery, token *string, maxResults *int64) (HITList, error) {
	page, err := s.openPage(ctx, requesterID, listing, token, maxResults)
	if err != nil {
		return HITList{}, err
	}
	q.Now = s.clock()
	q.Page = page.fetchPage()
	hits, err := s.store.ListHITs(ctx, requesterID, q)
	if err != nil {
		return HITList{}, Fault(err)
	}
	hits, next, err := finishPage(ctx, s, requesterID, listing, page, hits, func(h HIT) Cursor { return Cursor{At: h.CreatedAt, ID: h.ID} })
	return HITList{HITs: hits, NextToken: next}, err
}

// UpdateExpirationForHIT moves a HIT's expiry; a time in the past expires it at once.
func (s *Service) UpdateExpirationForHIT(ctx context.Context, requesterID, id string, expireAt *time.Time) error {
	if expireAt == nil {
		return missing("ExpireAt")
	}
	now := s.clock()
	at := expireAt.UTC().Truncate(time.Millisecond)
	if at.Before(now) {
		at = now
	}
	if at.After(now.Add(maxLifetimeSeconds * time.Second)) {
		return Invalid("AWS.MechanicalTurk.InvalidParameterValue", "ExpireAt must be at most one year from now.")
	}
	err := s.store.UpdateHITExpiration(ctx, requesterID, id, at)
	if errors.Is(err, ErrConflict) {
		return Invalid("AWS.MechanicalTurk.InvalidHITState", "Hit %s has been deleted; its expiration cannot change.", id)
	}
	if err != nil {
		return s.hitNotFound(err, id)
	}
	return nil
}

// UpdateHITReviewStatus moves a Reviewable HIT to Reviewing, or with revert a Reviewing one
// back to Reviewable: the requester's own marker of HITs being looked at, as on MTurk.
func (s *Service) UpdateHITReviewStatus(ctx context.Context, requesterID, id string, revert bool) error {
	now := s.clock()
	err := s.store.SetHITReviewing(ctx, requesterID, id, !revert, now)
	return s.hitChanged(ctx, requesterID, id, now, err, func(h HIT) error {
		from, to := HITReviewable, HITReviewing
		if revert {
			from, to = to, from
		}
		return Invalid("AWS.MechanicalTurk.InvalidHITState", "Hit %s is %s; only a %s HIT can be set to %s.", id, h.Status(now), from, to)
	})
}

// DeleteHIT disposes of a HIT that is Reviewable (or Reviewing) with all submitted
// assignments reviewed.
// Deleting a HIT that is already disposed succeeds, so that a retried call does not fail.
func (s *Service) DeleteHIT(ctx context.Context, requesterID, id string) error {
	now := s.clock()
	err := s.store.DisposeHIT(ctx, requesterID, id, now)
	return s.hitChanged(ctx, requesterID, id, now, err, func(h HIT) error {
		switch st := h.Status(now); {
		case st == HITDisposed:
			return nil
		case st == HITAssignable:
			return Invalid("AWS.MechanicalTurk.InvalidHITState",
				"Hit %s is still Assignable: expire it first (UpdateExpirationForHIT with a past ExpireAt), then delete it.", id)
		case h.Pending > 0:
			return Invalid("AWS.MechanicalTurk.InvalidHITState", "Hit %s has %d assignment(s) still being worked on; it can be deleted once they are submitted and reviewed.", id, h.Pending)
		default:
			return Invalid("AWS.MechanicalTurk.InvalidHITState", "Hit %s has submitted assignments that are not yet approved or rejected; review them before deleting the HIT.", id)
		}
	})
}

// hitChanged is assignmentChanged for a requester's conditional change of a HIT.
func (s *Service) hitChanged(ctx context.Context, requesterID, id string, now time.Time, err error, why func(HIT) error) error {
	if !errors.Is(err, ErrConflict) {
		if err != nil {
			return s.hitNotFound(err, id)
		}
		return nil
	}
	h, err := s.store.HIT(ctx, requesterID, id, now)
	if err != nil {
		return s.hitNotFound(err, id)
	}
	return why(h)
}

// validEntityID checks MTurk's EntityId shape: ^[A-Z0-9]+$, 1–64.
func validEntityID(id string) bool {
	if len(id) < 1 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}
