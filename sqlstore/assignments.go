package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/turkmail/turkmail"
)

func (s *Store) AcceptAssignment(ctx context.Context, a turkmail.Assignment, now time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// The no-op UPDATE locks the HIT row (PostgreSQL; SQLite's writer is already
		// exclusive), so that two accepts on two nodes count slots one after the other.
		res, err := tx.ExecContext(ctx, `UPDATE hits SET max_assignments = max_assignments
			WHERE id = $1 AND disposed = 0 AND expires_at > $2`, a.HITID, ms(now))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, turkmail.ErrConflict)
		}
		var blocked, mine, taken, max int64
		if err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM worker_blocks WHERE requester_id = $2 AND worker_id = $3),
			(SELECT COUNT(*) FROM assignments WHERE hit_id = $4 AND worker_id = $3),
			(SELECT COUNT(*) FROM assignments a WHERE a.hit_id = $4
				AND (a.status IN ('Submitted', 'Approved', 'Rejected') OR (a.status = 'Accepted' AND a.deadline_at > $1))),
			(SELECT max_assignments FROM hits WHERE id = $4)`,
			ms(now), a.RequesterID, a.WorkerID, a.HITID).Scan(&blocked, &mine, &taken, &max); err != nil {
			return err
		}
		switch {
		case mine > 0:
			return turkmail.ErrDuplicate
		case blocked > 0 || taken >= max:
			return turkmail.ErrConflict
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO assignments (id, hit_id, requester_id, worker_id, status, accepted_at, deadline_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.ID, a.HITID, a.RequesterID, a.WorkerID, turkmail.StatusAccepted,
			ms(a.AcceptedAt), ms(a.Deadline))
		return s.duplicate(err)
	})
}

const assignmentColumns = `id, hit_id, requester_id, worker_id, status, accepted_at, deadline_at, submitted_at,
	auto_approve_at, approved_at, rejected_at, answer, requester_feedback`

func scanAssignment(row interface{ Scan(...any) error }) (turkmail.Assignment, error) {
	var a turkmail.Assignment
	var accepted, deadline int64
	var submitted, auto, approved, rejected sql.NullInt64
	if err := row.Scan(&a.ID, &a.HITID, &a.RequesterID, &a.WorkerID, &a.Status, &accepted, &deadline, &submitted,
		&auto, &approved, &rejected, &a.Answer, &a.RequesterFeedback); err != nil {
		return turkmail.Assignment{}, notFound(err)
	}
	a.AcceptedAt, a.Deadline = fromMS(accepted), fromMS(deadline)
	a.SubmittedAt, a.AutoApprovalTime = fromNullMS(submitted), fromNullMS(auto)
	a.ApprovedAt, a.RejectedAt = fromNullMS(approved), fromNullMS(rejected)
	return a, nil
}

func (s *Store) Assignment(ctx context.Context, requesterID, id string) (turkmail.Assignment, error) {
	return scanAssignment(s.r.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM assignments
		WHERE id = $1 AND requester_id = $2`, id, requesterID))
}

func (s *Store) AssignmentForWorker(ctx context.Context, id string) (turkmail.Assignment, error) {
	return scanAssignment(s.r.QueryRowContext(ctx, `SELECT `+assignmentColumns+` FROM assignments WHERE id = $1`, id))
}

func (s *Store) SubmitAssignment(ctx context.Context, id, answer string, now, autoApproveAt time.Time) error {
	res, err := s.w.ExecContext(ctx, `UPDATE assignments SET status = 'Submitted', submitted_at = $1, auto_approve_at = $2, answer = $3
		WHERE id = $4 AND status = 'Accepted' AND deadline_at > $1`, ms(now), ms(autoApproveAt), answer, id)
	if err != nil {
		return err
	}
	return s.applied(ctx, res, `SELECT COUNT(*) FROM assignments WHERE id = $1`, id)
}

func (s *Store) ApproveAssignment(ctx context.Context, requesterID, id, feedback string, now, overrideSince time.Time) error {
	override := 0
	if !overrideSince.IsZero() {
		override = 1
	}
	return s.review(ctx, requesterID, id, `UPDATE assignments
		SET status = 'Approved', approved_at = $1, rejected_at = NULL, requester_feedback = $2
		WHERE id = $3 AND requester_id = $4 AND (status = 'Submitted'
			OR ($5 = 1 AND status = 'Rejected' AND submitted_at >= $6
				AND NOT EXISTS (SELECT 1 FROM hits WHERE hits.id = assignments.hit_id AND hits.disposed = 1)))
		RETURNING worker_id`, ms(now), feedback, id, requesterID, override, ms(overrideSince))
}

func (s *Store) RejectAssignment(ctx context.Context, requesterID, id, feedback string, now time.Time) error {
	return s.review(ctx, requesterID, id, `UPDATE assignments SET status = 'Rejected', rejected_at = $1, requester_feedback = $2
		WHERE id = $3 AND requester_id = $4 AND status = 'Submitted' RETURNING worker_id`, ms(now), feedback, id, requesterID)
}

// review runs an approving or rejecting UPDATE … RETURNING worker_id (args[0] is now) and
// records eligibility in the same transaction: the review and the fact commit together.
func (s *Store) review(ctx context.Context, requesterID, id, update string, args ...any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var workerID string
		err := tx.QueryRowContext(ctx, update, args...).Scan(&workerID)
		if errors.Is(err, sql.ErrNoRows) {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM assignments WHERE id = $1 AND requester_id = $2`, id, requesterID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return turkmail.ErrNotFound
			}
			return turkmail.ErrConflict
		}
		if err != nil {
			return err
		}
		return markReviewed(ctx, tx, requesterID, workerID, args[0].(int64))
	})
}

func (s *Store) ListAssignments(ctx context.Context, requesterID, hitID string, statuses []string, page turkmail.Page) ([]turkmail.Assignment, error) {
	args := []any{hitID, requesterID, ms(page.After.At), page.After.ID}
	var in []string
	for _, st := range statuses {
		args = append(args, st)
		in = append(in, fmt.Sprintf("$%d", len(args)))
	}
	if len(in) == 0 {
		return nil, nil
	}
	args = append(args, page.Limit)
	rows, err := s.r.QueryContext(ctx, `SELECT `+assignmentColumns+` FROM assignments
		WHERE hit_id = $1 AND requester_id = $2 AND status IN (`+strings.Join(in, ", ")+`)
		AND (accepted_at > $3 OR (accepted_at = $3 AND id > $4))
		ORDER BY accepted_at, id LIMIT `+fmt.Sprintf("$%d", len(args)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.Assignment
	for rows.Next() {
		a, err := scanAssignment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AutoApprove approves a batch of due assignments in one transaction. The batch's SELECT skips
// rows another node has locked (PostgreSQL), and the outer WHERE re-checks the status, so two
// nodes never approve the same assignment twice. The approval time is the auto-approval time.
func (s *Store) AutoApprove(ctx context.Context, now time.Time, limit int) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// The batch is a materialised CTE: PostgreSQL may re-run a LIMIT subquery inside
		// `id IN (…)`, which approved more than the limit.
		rows, err := tx.QueryContext(ctx, `WITH due AS MATERIALIZED (
				SELECT id FROM assignments WHERE status = 'Submitted' AND auto_approve_at <= $1
				ORDER BY auto_approve_at LIMIT $2 `+s.d.skipLocked+`)
			UPDATE assignments SET status = 'Approved', approved_at = auto_approve_at
			WHERE id IN (SELECT id FROM due) AND status = 'Submitted'
			RETURNING requester_id, worker_id, approved_at`, ms(now), limit)
		if err != nil {
			return err
		}
		type pair struct{ requester, worker string }
		first := map[pair]int64{}
		for rows.Next() {
			var p pair
			var at int64
			if err := rows.Scan(&p.requester, &p.worker, &at); err != nil {
				rows.Close()
				return err
			}
			n++
			if old, ok := first[p]; !ok || at < old {
				first[p] = at
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for p, at := range first {
			if err := markReviewed(ctx, tx, p.requester, p.worker, at); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
