package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is everything that differs between SQLite and PostgreSQL. Both accept $1-style
// placeholders, ON CONFLICT and RETURNING, so the queries themselves are shared.
type dialect struct {
	name string // "sqlite" or "postgres": also the migrations folder
	// skipLocked ends a claim's row selection: PostgreSQL lets concurrent dispatchers skip
	// each other's rows; SQLite has one writer, so there is nothing to skip.
	skipLocked string
	// lockMigrations serialises migrations across nodes starting at once (inside the tx).
	lockMigrations string
	// lockRequester ($1: requester id, $2: invocation id) serialises one requester's
	// NotifyWorkers acceptances inside the transaction (for the per-worker cap) and, in the
	// same round trip, reads the invocation record (notification_id, response, created_at;
	// NULLs if none). NO KEY UPDATE does not block the foreign-key checks of inserts that
	// reference the row. SQLite: one writer already.
	lockRequester string
	// writableCTE: INSERTs may sit in a WITH clause, so that a notification, its deliveries
	// and its invocation record go in one statement (PostgreSQL); SQLite has no such thing.
	writableCTE bool
	isUnique    func(error) bool
}

var sqliteDialect = dialect{
	name:     "sqlite",
	isUnique: sqliteUnique,
}

var postgresDialect = dialect{
	name:           "postgres",
	skipLocked:     "FOR UPDATE SKIP LOCKED",
	lockMigrations: "SELECT pg_advisory_xact_lock(7215023417)",
	lockRequester: `SELECT i.notification_id, i.response, i.created_at FROM requesters r
		LEFT JOIN invocations i ON i.requester_id = r.id AND i.invocation_id = $2
		WHERE r.id = $1 FOR NO KEY UPDATE OF r`,
	writableCTE: true,
	isUnique: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "23505"
	},
}

func sqliteUnique(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) &&
		(se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// IsPostgres tells whether dsn names a PostgreSQL database rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// openPools opens the writer and reader pools for dsn. SQLite gets one writer connection
// (it has one writer anyway; queuing in Go beats SQLITE_BUSY) and several readers, which WAL
// lets run beside it; PostgreSQL gets one pool used for both.
func openPools(ctx context.Context, dsn string, maxConns int) (dialect, *sql.DB, *sql.DB, error) {
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return dialect{}, nil, nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return dialect{}, nil, nil, fmt.Errorf("connect to postgres: %w", redactDSNError(err))
		}
		return postgresDialect, db, db, nil
	}
	w, err := sql.Open("sqlite", sqliteDSN(dsn, true))
	if err != nil {
		return dialect{}, nil, nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	w.SetMaxOpenConns(1)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return dialect{}, nil, nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(dsn, false))
	if err != nil {
		w.Close()
		return dialect{}, nil, nil, fmt.Errorf("open sqlite %s: %w", dsn, err)
	}
	r.SetMaxOpenConns(maxConns)
	r.SetMaxIdleConns(maxConns)
	return sqliteDialect, w, r, nil
}

// sqliteDSN: WAL so readers never wait for the writer; synchronous=FULL so that a commit,
// and so a 200, means the data is on disk; a busy timeout for other processes (the CLI
// beside a running server); immediate transactions on the writer so they never fail to
// upgrade a read lock.
func sqliteDSN(path string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	if writer {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// redactDSNError keeps a password in a connection string out of error messages.
func redactDSNError(err error) error {
	var pe *pgconn.ConnectError
	if errors.As(err, &pe) {
		return errors.New(strings.TrimSpace(pe.Error()))
	}
	return err
}
