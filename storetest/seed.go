package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail/sqlstore"
)

// Seeder writes rows straight into a test database over its own connection, for tests that
// need thousands of rows (the dispatcher's) or rows whose creating operation belongs to
// another part of the system. It writes the schema's columns, nothing more.
type Seeder struct {
	t  testing.TB
	db *sql.DB
}

// EachSeeded is Each with a Seeder on the same database.
func EachSeeded(t *testing.T, fn func(t *testing.T, s *sqlstore.Store, seed *Seeder)) {
	t.Helper()
	for _, d := range Dialects {
		t.Run(d, func(t *testing.T) {
			dsn := DSN(t, d)
			s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
			if err != nil {
				t.Fatalf("open %s store: %v", d, err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s, NewSeeder(t, dsn))
		})
	}
}

// NewSeeder connects to dsn (as DSN returns it), which must be migrated already.
func NewSeeder(t testing.TB, dsn string) *Seeder {
	t.Helper()
	var db *sql.DB
	var err error
	if sqlstore.IsPostgres(dsn) {
		db, err = sql.Open("pgx", dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
	}
	if err != nil {
		t.Fatalf("seeder: %v", err)
	}
	db.SetMaxOpenConns(1) // one writer is all SQLite has; on PostgreSQL seeding is sequential anyway
	t.Cleanup(func() { db.Close() })
	return &Seeder{t: t, db: db}
}

func (s *Seeder) exec(q string, args ...any) {
	s.t.Helper()
	if _, err := s.db.ExecContext(context.Background(), q, args...); err != nil {
		s.t.Fatalf("seed: %v\n%s", err, q)
	}
}

// Requester adds a requester (without access keys).
func (s *Seeder) Requester(id, name, contact string) {
	s.t.Helper()
	s.exec(`INSERT INTO requesters (id, name, contact_email, balance_cents, created_at) VALUES ($1, $2, $3, 0, $4)`,
		id, name, contact, time.Now().UnixMilli())
}

// Worker adds a worker with an address.
func (s *Seeder) Worker(id, email string) {
	s.t.Helper()
	s.exec(`INSERT INTO workers (id, email, created_at) VALUES ($1, $2, $3)`, id, email, time.Now().UnixMilli())
}

// Workers adds n workers W<prefix>0… with addresses <id>@<domain>, and returns their ids.
func (s *Seeder) Workers(prefix string, n int, domain string) []string {
	s.t.Helper()
	ids := make([]string, n)
	rows := make([][]any, n)
	now := time.Now().UnixMilli()
	for i := range n {
		ids[i] = fmt.Sprintf("A%s%d", prefix, i)
		rows[i] = []any{ids[i], strings.ToLower(ids[i]) + "@" + domain, now}
	}
	s.bulk(`INSERT INTO workers (id, email, created_at) VALUES `, rows)
	return ids
}

// Notification adds a notification.
func (s *Seeder) Notification(id, requesterID, subject, text string, at time.Time) {
	s.t.Helper()
	s.exec(`INSERT INTO notifications (id, requester_id, subject, message_text, created_at) VALUES ($1, $2, $3, $4, $5)`,
		id, requesterID, subject, text, at.UnixMilli())
}

// Deliveries queues one delivery of the notification per worker, due at at, with Message-IDs
// <notificationID.workerID@turkmail.test>.
func (s *Seeder) Deliveries(notificationID, requesterID string, workerIDs []string, at time.Time) {
	s.t.Helper()
	rows := make([][]any, len(workerIDs))
	for i, w := range workerIDs {
		rows[i] = []any{notificationID, requesterID, w, MessageID(notificationID, w), "queued", at.UnixMilli(), at.UnixMilli(), at.UnixMilli()}
	}
	s.bulk(`INSERT INTO deliveries (notification_id, requester_id, worker_id, message_id, state, due_at, created_at, updated_at) VALUES `, rows)
}

// MessageID is the Message-ID Deliveries gives the delivery of a notification to a worker.
func MessageID(notificationID, workerID string) string {
	return "<" + notificationID + "." + workerID + "@turkmail.test>"
}

// OptOut records that the worker opted out of the requester's email.
func (s *Seeder) OptOut(workerID, requesterID string) {
	s.t.Helper()
	s.exec(`INSERT INTO optouts (worker_id, requester_id, created_at) VALUES ($1, $2, $3)`, workerID, requesterID, time.Now().UnixMilli())
}

// Reviewed makes the worker eligible for the requester's notifications, as an approved or
// rejected assignment would.
func (s *Seeder) Reviewed(requesterID, workerID string) {
	s.t.Helper()
	s.exec(`INSERT INTO reviewed_workers (requester_id, worker_id, first_at) VALUES ($1, $2, $3)`, requesterID, workerID, time.Now().UnixMilli())
}

// Suppress puts an address on the suppression list as given (callers lower-case it).
func (s *Seeder) Suppress(email, reason string) {
	s.t.Helper()
	s.exec(`INSERT INTO suppressions (email, reason, created_at) VALUES ($1, $2, $3)`, email, reason, time.Now().UnixMilli())
}

// bulk inserts rows in multi-row statements of a few hundred rows, in one transaction.
func (s *Seeder) bulk(prefix string, rows [][]any) {
	s.t.Helper()
	ctx := context.Background()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		s.t.Fatalf("seed: %v", err)
	}
	defer tx.Rollback()
	const chunk = 500
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(start+chunk, len(rows))]
		var b strings.Builder
		b.WriteString(prefix)
		var args []any
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					b.WriteString(", ")
				}
				args = append(args, v)
				fmt.Fprintf(&b, "$%d", len(args))
			}
			b.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
			s.t.Fatalf("seed: %v", err)
		}
	}
	if err := tx.Commit(); err != nil {
		s.t.Fatalf("seed: %v", err)
	}
}
