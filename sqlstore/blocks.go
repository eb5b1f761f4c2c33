package sqlstore

import (
	"context"

	"github.com/turkmail/turkmail"
)

func (s *Store) PutBlock(ctx context.Context, b turkmail.Block) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO worker_blocks (requester_id, worker_id, reason, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (requester_id, worker_id) DO UPDATE SET reason = excluded.reason`,
		b.RequesterID, b.WorkerID, b.Reason, ms(b.CreatedAt))
	return err
}

func (s *Store) DeleteBlock(ctx context.Context, requesterID, workerID string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM worker_blocks WHERE requester_id = $1 AND worker_id = $2`, requesterID, workerID)
	return err
}

func (s *Store) Blocked(ctx context.Context, requesterID, workerID string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM worker_blocks WHERE requester_id = $1 AND worker_id = $2`, requesterID, workerID).Scan(&n)
	return n > 0, err
}

func (s *Store) ListBlocks(ctx context.Context, requesterID string, page turkmail.Page) ([]turkmail.Block, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT requester_id, worker_id, reason, created_at FROM worker_blocks
		WHERE requester_id = $1 AND worker_id > $2 ORDER BY worker_id LIMIT $3`, requesterID, page.After.ID, page.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.Block
	for rows.Next() {
		var b turkmail.Block
		var created int64
		if err := rows.Scan(&b.RequesterID, &b.WorkerID, &b.Reason, &created); err != nil {
			return nil, err
		}
		b.CreatedAt = fromMS(created)
		out = append(out, b)
	}
	return out, rows.Err()
}
