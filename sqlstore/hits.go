package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/turkmail/turkmail"
)

func (s *Store) PutHITType(ctx context.Context, t turkmail.HITType) (turkmail.HITType, error) {
	quals, err := json.Marshal(t.QualificationRequirements)
	if err != nil {
		return turkmail.HITType{}, err
	}
	if len(t.QualificationRequirements) == 0 {
		quals = []byte("[]")
	}
	// Two nodes making the same type at once: one insert wins, both read the winner.
	if _, err := s.w.ExecContext(ctx, `INSERT INTO hit_types (id, requester_id, fingerprint, title, description, keywords,
		reward, assignment_duration_seconds, auto_approval_delay_seconds, qualification_requirements, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (requester_id, fingerprint) DO NOTHING`,
		t.ID, t.RequesterID, t.Fingerprint, t.Title, t.Description, t.Keywords, turkmail.FormatMoney(t.RewardCents),
		int64(t.AssignmentDuration/time.Second), int64(t.AutoApprovalDelay/time.Second), string(quals), ms(t.CreatedAt)); err != nil {
		return turkmail.HITType{}, err
	}
	return scanHITType(s.w.QueryRowContext(ctx, `SELECT `+hitTypeColumns+` FROM hit_types t
		WHERE t.requester_id = $1 AND t.fingerprint = $2`, t.RequesterID, t.Fingerprint))
}

const hitTypeColumns = `t.id, t.requester_id, t.fingerprint, t.title, t.description, t.keywords, t.reward,
	t.assignment_duration_seconds, t.auto_approval_delay_seconds, t.qualification_requirements, t.created_at`

// hitTypeDest returns scan destinations for hitTypeColumns and a function that finishes t.
func hitTypeDest(t *turkmail.HITType) ([]any, func() error) {
	var reward, quals string
	var dur, delay, created int64
	dest := []any{&t.ID, &t.RequesterID, &t.Fingerprint, &t.Title, &t.Description, &t.Keywords, &reward, &dur, &delay, &quals, &created}
	return dest, func() error {
		cents, err := turkmail.ParseMoney(reward)
		if err != nil {
			return fmt.Errorf("hit type %s: reward: %w", t.ID, err)
		}
		t.RewardCents = cents
		t.AssignmentDuration = time.Duration(dur) * time.Second
		t.AutoApprovalDelay = time.Duration(delay) * time.Second
		t.CreatedAt = fromMS(created)
		t.QualificationRequirements = nil
		if quals != "" && quals != "[]" {
			if err := json.Unmarshal([]byte(quals), &t.QualificationRequirements); err != nil {
				return fmt.Errorf("hit type %s: qualification requirements: %w", t.ID, err)
			}
		}
		return nil
	}
}

func scanHITType(row interface{ Scan(...any) error }) (turkmail.HITType, error) {
	var t turkmail.HITType
	dest, finish := hitTypeDest(&t)
	if err := row.Scan(dest...); err != nil {
		return turkmail.HITType{}, notFound(err)
	}
	return t, finish()
}

func (s *Store) HITType(ctx context.Context, requesterID, id string) (turkmail.HITType, error) {
	return scanHITType(s.r.QueryRowContext(ctx, `SELECT `+hitTypeColumns+` FROM hit_types t
		WHERE t.id = $1 AND t.requester_id = $2`, id, requesterID))
}

func (s *Store) CreateHIT(ctx context.Context, h turkmail.HIT, tokensSince time.Time) error {
	token := sql.NullString{String: h.UniqueRequestToken, Valid: h.UniqueRequestToken != ""}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// The unique index stays the arbiter of concurrent creates; an expired token is
		// taken off its old HIT first, in the same transaction, so the index lets it pass.
		if token.Valid {
			if _, err := tx.ExecContext(ctx, `UPDATE hits SET unique_request_token = NULL
				WHERE requester_id = $1 AND unique_request_token = $2 AND created_at <= $3`,
				h.RequesterID, token, ms(tokensSince)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO hits (id, requester_id, hit_type_id, hit_group_id, hit_layout_id, question,
			requester_annotation, unique_request_token, max_assignments, expires_at, review_status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			h.ID, h.RequesterID, h.Type.ID, h.HITGroupID, h.HITLayoutID, h.Question, h.RequesterAnnotation, token,
			h.MaxAssignments, ms(h.Expiration), h.ReviewStatus, ms(h.CreatedAt))
		return err
	})
	return s.duplicate(err)
}

func (s *Store) HITIDByToken(ctx context.Context, requesterID, token string) (string, error) {
	var id string
	err := s.w.QueryRowContext(ctx, `SELECT id FROM hits WHERE requester_id = $1 AND unique_request_token = $2`, requesterID, token).Scan(&id)
	return id, notFound(err)
}

// The assignment counts a HIT's status depends on, at $1 (now, ms). An Accepted assignment
// past its deadline is abandoned: it no longer holds a slot.
const (
	pendingCount = `(SELECT COUNT(*) FROM assignments a WHERE a.hit_id = h.id AND a.status = 'Accepted' AND a.deadline_at > $1)`
	takenCount   = `(SELECT COUNT(*) FROM assignments a WHERE a.hit_id = h.id
		AND (a.status IN ('Submitted', 'Approved', 'Rejected') OR (a.status = 'Accepted' AND a.deadline_at > $1)))`
	doneCount = `(SELECT COUNT(*) FROM assignments a WHERE a.hit_id = h.id AND a.status IN ('Approved', 'Rejected'))`
	// reviewable is HIT.Status's Reviewable-or-Reviewing: no work in progress, and expired or full.
	reviewable = `(` + pendingCount + ` = 0 AND (h.expires_at <= $1 OR ` + takenCount + ` >= h.max_assignments))`
	hitSelect  = `SELECT h.id, h.requester_id, h.hit_group_id, h.hit_layout_id, h.question, h.requester_annotation,
		COALESCE(h.unique_request_token, ''), h.max_assignments, h.expires_at, h.review_status, h.disposed, h.reviewing, h.created_at, ` +
		hitTypeColumns + `, ` + pendingCount + `, ` + takenCount + `, ` + doneCount + `
		FROM hits h JOIN hit_types t ON t.id = h.hit_type_id`
)

func scanHIT(row interface{ Scan(...any) error }) (turkmail.HIT, error) {
	var h turkmail.HIT
	var expires, created, disposed, reviewing int64
	dest := []any{&h.ID, &h.RequesterID, &h.HITGroupID, &h.HITLayoutID, &h.Question, &h.RequesterAnnotation,
		&h.UniqueRequestToken, &h.MaxAssignments, &expires, &h.ReviewStatus, &disposed, &reviewing, &created}
	typeDest, finish := hitTypeDest(&h.Type)
	dest = append(dest, typeDest...)
	dest = append(dest, &h.Pending, &h.Taken, &h.Completed)
	if err := row.Scan(dest...); err != nil {
		return turkmail.HIT{}, notFound(err)
	}
	h.Expiration, h.CreatedAt, h.Disposed, h.Reviewing = fromMS(expires), fromMS(created), disposed != 0, reviewing != 0
	return h, finish()
}

func (s *Store) HIT(ctx context.Context, requesterID, id string, now time.Time) (turkmail.HIT, error) {
	return scanHIT(s.r.QueryRowContext(ctx, hitSelect+` WHERE h.id = $2 AND h.requester_id = $3`, ms(now), id, requesterID))
}

func (s *Store) HITForWorker(ctx context.Context, id string, now time.Time) (turkmail.HIT, error) {
	return scanHIT(s.r.QueryRowContext(ctx, hitSelect+` WHERE h.id = $2`, ms(now), id))
}

func (s *Store) ListHITs(ctx context.Context, requesterID string, q turkmail.HITQuery) ([]turkmail.HIT, error) {
	where := ` WHERE h.requester_id = $2 AND h.disposed = 0
		AND (h.created_at > $3 OR (h.created_at = $3 AND h.id > $4))`
	args := []any{ms(q.Now), requesterID, ms(q.Page.After.At), q.Page.After.ID}
	switch q.Status {
	case turkmail.HITReviewable:
		where += ` AND h.reviewing = 0 AND ` + reviewable
	case turkmail.HITReviewing:
		where += ` AND h.reviewing = 1 AND ` + reviewable
	}
	if q.HITTypeID != "" {
		args = append(args, q.HITTypeID)
		where += fmt.Sprintf(` AND h.hit_type_id = $%d`, len(args))
	}
	args = append(args, q.Page.Limit)
	rows, err := s.r.QueryContext(ctx, hitSelect+where+fmt.Sprintf(` ORDER BY h.created_at, h.id LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.HIT
	for rows.Next() {
		h, err := scanHIT(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func (s *Store) UpdateHITExpiration(ctx context.Context, requesterID, id string, at time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE hits SET expires_at = $1 WHERE id = $2 AND requester_id = $3 AND disposed = 0`,
		ms(at), id, requesterID)
	if err != nil {
		return err
	}
	return s.applied(ctx, res, `SELECT COUNT(*) FROM hits WHERE id = $1 AND requester_id = $2`, id, requesterID)
}

func (s *Store) DisposeHIT(ctx context.Context, requesterID, id string, now time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE hits SET disposed = 1 WHERE id = $2 AND requester_id = $3 AND disposed = 0
		AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.hit_id = hits.id
			AND (a.status = 'Submitted' OR (a.status = 'Accepted' AND a.deadline_at > $1)))
		AND (expires_at <= $1 OR (SELECT COUNT(*) FROM assignments a WHERE a.hit_id = hits.id
			AND a.status IN ('Approved', 'Rejected')) >= max_assignments)`, ms(now), id, requesterID)
	if err != nil {
		return err
	}
	return s.applied(ctx, res, `SELECT COUNT(*) FROM hits WHERE id = $1 AND requester_id = $2`, id, requesterID)
}

func (s *Store) SetHITReviewing(ctx context.Context, requesterID, id string, reviewing bool, now time.Time) error {
	to := 0
	if reviewing {
		to = 1
	}
	res, err := s.w.ExecContext(ctx, `UPDATE hits SET reviewing = $4 WHERE id = $2 AND requester_id = $3 AND disposed = 0
		AND reviewing = 1 - $4 AND id IN (SELECT h.id FROM hits h WHERE h.id = $2 AND `+reviewable+`)`,
		ms(now), id, requesterID, to)
	if err != nil {
		return err
	}
	return s.applied(ctx, res, `SELECT COUNT(*) FROM hits WHERE id = $1 AND requester_id = $2`, id, requesterID)
}

// applied turns a conditional UPDATE's result into nil (a row changed), ErrConflict (the row
// exists, per the count query, but was not in the required state) or ErrNotFound.
func (s *Store) applied(ctx context.Context, res sql.Result, countQuery string, args ...any) error {
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	var n int
	if err := s.w.QueryRowContext(ctx, countQuery, args...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return turkmail.ErrNotFound
	}
	return turkmail.ErrConflict
}
