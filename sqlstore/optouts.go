package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/turkmail/turkmail"
)

// PutOptOut inserts the pair's opt-out unless one exists. NotifyWorkers' acceptance and the
// dispatcher's claim read the optouts table in their own statements, so the row is all
// they need to see.
func (s *Store) PutOptOut(ctx context.Context, o turkmail.OptOut) (created bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := pairExists(ctx, tx, o.WorkerID, o.RequesterID); err != nil {
			return err
		}
		// ON CONFLICT DO NOTHING rather than a unique-violation error: on PostgreSQL a failed
		// statement aborts the transaction, and two clicks at once must both succeed.
		res, err := tx.ExecContext(ctx, `INSERT INTO optouts (worker_id, requester_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (worker_id, requester_id) DO NOTHING`, o.WorkerID, o.RequesterID, ms(o.CreatedAt))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		created = n == 1
		return err
	})
	return created, err
}

func (s *Store) DeleteOptOut(ctx context.Context, workerID, requesterID string) (removed bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := pairExists(ctx, tx, workerID, requesterID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM optouts WHERE worker_id = $1 AND requester_id = $2`, workerID, requesterID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		removed = n == 1
		return err
	})
	return removed, err
}

// pairExists returns ErrNotFound, saying which, when the worker or the requester is unknown.
func pairExists(ctx context.Context, q querier, workerID, requesterID string) error {
	var workers, requesters int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM workers WHERE id = $1),
		(SELECT COUNT(*) FROM requesters WHERE id = $2)`, workerID, requesterID).Scan(&workers, &requesters)
	switch {
	case err != nil:
		return err
	case workers == 0:
		return fmt.Errorf("worker %s: %w", workerID, turkmail.ErrNotFound)
	case requesters == 0:
		return fmt.Errorf("requester %s: %w", requesterID, turkmail.ErrNotFound)
	}
	return nil
}

func (s *Store) OptOut(ctx context.Context, workerID, requesterID string) (turkmail.OptOut, error) {
	o := turkmail.OptOut{WorkerID: workerID, RequesterID: requesterID}
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT created_at FROM optouts WHERE worker_id = $1 AND requester_id = $2`,
		workerID, requesterID).Scan(&created)
	o.CreatedAt = fromMS(created)
	return o, notFound(err)
}

func (s *Store) ListOptOuts(ctx context.Context, workerID string) ([]turkmail.OptOut, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT requester_id, created_at FROM optouts WHERE worker_id = $1
		ORDER BY created_at, requester_id`, workerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.OptOut
	for rows.Next() {
		o := turkmail.OptOut{WorkerID: workerID}
		var created int64
		if err := rows.Scan(&o.RequesterID, &created); err != nil {
			return nil, err
		}
		o.CreatedAt = fromMS(created)
		out = append(out, o)
	}
	return out, rows.Err()
}
