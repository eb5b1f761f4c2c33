// Package storetest opens fresh, isolated stores for tests: SQLite always, PostgreSQL when
// TURKMAIL_TEST_POSTGRES holds a URL. Its tests are the one conformance suite that both
// dialects must pass; other packages use Each to run their own tests on both.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/turkmail/turkmail/sqlstore"
)

// PostgresEnv names the variable that holds the PostgreSQL URL for tests.
const PostgresEnv = "TURKMAIL_TEST_POSTGRES"

// Dialects are the names Each runs under.
var Dialects = []string{"sqlite", "postgres"}

// Each runs fn as a subtest per dialect, each with a fresh, migrated store.
func Each(t *testing.T, fn func(t *testing.T, s *sqlstore.Store)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			fn(t, Open(t, d))
		})
	}
}

// Open returns a fresh, migrated store of the named dialect, removed when t ends. Without
// TURKMAIL_TEST_POSTGRES the postgres dialect skips with a message (and fails when CI=true).
func Open(t testing.TB, dialect string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), DSN(t, dialect), sqlstore.Options{})
	if err != nil {
		t.Fatalf("open %s store: %v", dialect, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// DSN returns a connection string for a fresh, empty database of the named dialect: a new
// SQLite file in t's temp dir, or a new PostgreSQL schema, dropped when t ends, so that
// concurrent runs never see each other's rows.
func DSN(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return filepath.Join(t.TempDir(), "turkmail.db")
	case "postgres":
		return postgresSchema(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

func postgresSchema(t testing.TB) string {
	base := os.Getenv(PostgresEnv)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI requires the PostgreSQL half of the tests", PostgresEnv)
		}
		t.Skipf("PostgreSQL half skipped: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run it", PostgresEnv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", PostgresEnv, err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
