package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/turkmail/turkmail"
)

func (s *Store) CreateRequester(ctx context.Context, r turkmail.Requester, key turkmail.AccessKey) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO requesters (id, name, contact_email, balance_cents, created_at)
			VALUES ($1, $2, $3, $4, $5)`, r.ID, r.Name, r.ContactEmail, r.BalanceCents, ms(r.CreatedAt)); err != nil {
			return s.duplicate(err)
		}
		return insertKey(ctx, tx, key)
	})
}

func insertKey(ctx context.Context, q querier, k turkmail.AccessKey) error {
	_, err := q.ExecContext(ctx, `INSERT INTO access_keys (id, requester_id, secret, created_at) VALUES ($1, $2, $3, $4)`,
		k.ID, k.RequesterID, k.Secret, ms(k.CreatedAt))
	return err
}

const requesterColumns = `id, name, contact_email, balance_cents, created_at`

func scanRequester(row interface{ Scan(...any) error }) (turkmail.Requester, error) {
	var r turkmail.Requester
	var created int64
	err := row.Scan(&r.ID, &r.Name, &r.ContactEmail, &r.BalanceCents, &created)
	r.CreatedAt = fromMS(created)
	return r, err
}

func (s *Store) Requester(ctx context.Context, id string) (turkmail.Requester, error) {
	r, err := scanRequester(s.r.QueryRowContext(ctx, `SELECT `+requesterColumns+` FROM requesters WHERE id = $1`, id))
	return r, notFound(err)
}

func (s *Store) ListRequesters(ctx context.Context) ([]turkmail.Requester, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requesterColumns+` FROM requesters ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.Requester
	for rows.Next() {
		r, err := scanRequester(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *Store) AccessKey(ctx context.Context, id string) (turkmail.AccessKey, error) {
	var k turkmail.AccessKey
	var created int64
	err := s.r.QueryRowContext(ctx, `SELECT id, requester_id, secret, created_at FROM access_keys
		WHERE id = $1 AND revoked_at IS NULL`, id).Scan(&k.ID, &k.RequesterID, &k.Secret, &created)
	k.CreatedAt = fromMS(created)
	return k, notFound(err)
}

func (s *Store) ReplaceAccessKey(ctx context.Context, requesterID string, key turkmail.AccessKey) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE access_keys SET revoked_at = $1 WHERE requester_id = $2 AND revoked_at IS NULL`,
			ms(key.CreatedAt), requesterID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM requesters WHERE id = $1`, requesterID).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return turkmail.ErrNotFound
			}
		}
		return insertKey(ctx, tx, key)
	})
}

// duplicate maps a unique-constraint violation to turkmail.ErrDuplicate.
func (s *Store) duplicate(err error) error {
	if err != nil && s.d.isUnique(err) {
		return fmt.Errorf("%w: %v", turkmail.ErrDuplicate, err)
	}
	return err
}
