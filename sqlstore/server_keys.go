package sqlstore

import (
	"context"
	"time"
)

// ServerKey returns the key stored under name, storing candidate first if there is none, so
// that every node on the database agrees on it.
func (s *Store) ServerKey(ctx context.Context, name string, candidate string) (string, error) {
	if _, err := s.w.ExecContext(ctx, `INSERT INTO server_keys (name, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO NOTHING`, name, candidate, time.Now().UnixMilli()); err != nil {
		return "", err
	}
	var v string
	err := s.w.QueryRowContext(ctx, `SELECT value FROM server_keys WHERE name = $1`, name).Scan(&v)
	return v, err
}
