package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/turkmail/turkmail"
)

// Store implements turkmail.Store.
type Store struct {
	d dialect
	w *sql.DB // writes and transactions
	r *sql.DB // reads; the same pool as w on PostgreSQL
}

var _ turkmail.Store = (*Store)(nil)

// Options tune Open. Zero values mean the defaults.
type Options struct {
	MaxConns int // connections per pool; default 8
}

// Open connects to dsn (a SQLite file path, or a postgres:// URL) and applies migrations.
func Open(ctx context.Context, dsn string, o Options) (*Store, error) {
	s, err := OpenWithoutMigrating(ctx, dsn, o)
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// OpenWithoutMigrating connects to dsn and leaves the schema as it is.
func OpenWithoutMigrating(ctx context.Context, dsn string, o Options) (*Store, error) {
	if o.MaxConns <= 0 {
		o.MaxConns = 8
	}
	d, w, r, err := openPools(ctx, dsn, o.MaxConns)
	if err != nil {
		return nil, err
	}
	return &Store{d: d, w: w, r: r}, nil
}

// Dialect names the database: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.w.PingContext(ctx) }

// Close releases the pools.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in one write transaction and commits it, or rolls back on any error.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ms and fromMS convert between time.Time and the stored Unix milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS stores the zero time as NULL.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// notFound maps sql.ErrNoRows to turkmail.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return turkmail.ErrNotFound
	}
	return err
}
