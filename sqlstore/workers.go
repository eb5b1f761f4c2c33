package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/turkmail/turkmail"
)

// PutWorker upserts; the WHERE on the update leaves an identical row untouched, so that
// RowsAffected tells whether anything changed (0 on both dialects when it did not).
func (s *Store) PutWorker(ctx context.Context, w turkmail.Worker) (bool, error) {
	res, err := s.w.ExecContext(ctx, `INSERT INTO workers (id, email, name, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name
		WHERE workers.email <> excluded.email OR workers.name <> excluded.name`,
		w.ID, w.Email, w.Name, ms(w.CreatedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (s *Store) Worker(ctx context.Context, id string) (turkmail.Worker, error) {
	var w turkmail.Worker
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT id, email, name, created_at FROM workers WHERE id = $1`, id).
		Scan(&w.ID, &w.Email, &w.Name, &created)
	w.CreatedAt = fromMS(created)
	return w, notFound(err)
}

func (s *Store) ListWorkers(ctx context.Context, after string, limit int) ([]turkmail.Worker, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, email, name, created_at FROM workers WHERE id > $1 ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.Worker
	for rows.Next() {
		var w turkmail.Worker
		var created int64
		if err := rows.Scan(&w.ID, &w.Email, &w.Name, &created); err != nil {
			return nil, err
		}
		w.CreatedAt = fromMS(created)
		out = append(out, w)
	}
	return out, rows.Err()
}

// maxEligibilityIDs is NotifyWorkers' limit; the query's cost is bounded by it.
const maxEligibilityIDs = 100

// ReviewedWorkers is the eligibility query: primary-key probes on reviewed_workers
// (requester_id, worker_id), one per id, whatever the number of assignments.
func (s *Store) ReviewedWorkers(ctx context.Context, requesterID string, workerIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(workerIDs))
	if len(workerIDs) == 0 {
		return out, nil
	}
	if len(workerIDs) > maxEligibilityIDs {
		return nil, fmt.Errorf("ReviewedWorkers: %d ids, at most %d", len(workerIDs), maxEligibilityIDs)
	}
	args := make([]any, 0, len(workerIDs)+1)
	args = append(args, requesterID)
	var in strings.Builder
	for i, id := range workerIDs {
		if i > 0 {
			in.WriteString(", ")
		}
		args = append(args, id)
		fmt.Fprintf(&in, "$%d", len(args))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT worker_id FROM reviewed_workers WHERE requester_id = $1 AND worker_id IN (`+in.String()+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// markReviewed records, inside the transaction that approved or rejected, that the worker
// has reviewed work for the requester. Only the first review inserts a row.
func markReviewed(ctx context.Context, q querier, requesterID, workerID string, at int64) error {
	_, err := q.ExecContext(ctx, `INSERT INTO reviewed_workers (requester_id, worker_id, first_at) VALUES ($1, $2, $3)
		ON CONFLICT (requester_id, worker_id) DO NOTHING`, requesterID, workerID, at)
	return err
}
