package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/turkmail/turkmail"
)

// AcceptNotification commits one NotifyWorkers call in one transaction (see
// turkmail.NotifyStore). The hot path is a fixed number of statements whatever the number
// of workers: the invocation look-up (with the requester's lock on PostgreSQL), one facts
// query for all of them, and the INSERTs (the deliveries as one multi-row INSERT; on
// PostgreSQL all three in one statement). With BEGIN and COMMIT that is 5 round trips on
// PostgreSQL.
func (s *Store) AcceptNotification(ctx context.Context, a turkmail.Acceptance) (turkmail.Accepted, error) {
	out, err := s.accept(ctx, a)
	if err != nil && a.InvocationID != "" && s.d.isUnique(err) {
		// A concurrent call with the same invocation id committed first (the primary key
		// decided): its answer is ours, and our transaction left nothing behind.
		return s.liveInvocation(ctx, s.w, a)
	}
	return out, err
}

func (s *Store) accept(ctx context.Context, a turkmail.Acceptance) (turkmail.Accepted, error) {
	var out turkmail.Accepted
	n := a.Notification
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// On PostgreSQL this also locks the requester's row: one acceptance per requester
		// at a time, so that concurrent calls cannot both count a worker under the cap;
		// SQLite's single writer serialises them anyway.
		prev, at, err := s.lockAndFindInvocation(ctx, tx, n.RequesterID, a.InvocationID)
		switch {
		case err == nil && !at.Before(a.InvocationSince):
			out = prev
			return nil
		case err == nil:
			// A record too old to replay (rare): free its key.
			if _, err := tx.ExecContext(ctx, `DELETE FROM invocations WHERE requester_id = $1 AND invocation_id = $2`,
				n.RequesterID, a.InvocationID); err != nil {
				return fmt.Errorf("purge stale invocation: %w", err)
			}
		case !errors.Is(err, turkmail.ErrNotFound):
			return err
		}
		facts, err := s.recipientFacts(ctx, tx, n.RequesterID, a.WorkerIDs, a.CapSince)
		if err != nil {
			return err
		}
		d, err := a.Decide(facts)
		if err != nil {
			return err
		}
		if err := s.insertNotification(ctx, tx, n, a.InvocationID, d); err != nil {
			return err
		}
		out = turkmail.Accepted{NotificationID: n.ID, Response: d.Response}
		return nil
	})
	return out, err
}

// liveInvocation returns the record of a.InvocationID made since a.InvocationSince, as a
// replay; ErrNotFound if there is none.
func (s *Store) liveInvocation(ctx context.Context, q querier, a turkmail.Acceptance) (turkmail.Accepted, error) {
	var id, resp string
	err := q.QueryRowContext(ctx, `SELECT notification_id, response FROM invocations
		WHERE requester_id = $1 AND invocation_id = $2 AND created_at >= $3`,
		a.Notification.RequesterID, a.InvocationID, ms(a.InvocationSince)).Scan(&id, &resp)
	if err != nil {
		return turkmail.Accepted{}, notFound(err)
	}
	return turkmail.Accepted{NotificationID: id, Response: []byte(resp), Replayed: true}, nil
}

// lockAndFindInvocation returns (requester, invocation id)'s record whatever its age, as a
// replay, and when it was made; ErrNotFound if there is none (or no invocation id). One
// round trip: the usual answer is "none". Where the dialect locks the requester, the same
// statement takes the lock; its invocation may then be read from before a concurrent
// duplicate committed, and the invocations' primary key still decides (AcceptNotification).
func (s *Store) lockAndFindInvocation(ctx context.Context, tx *sql.Tx, requesterID, invocationID string) (turkmail.Accepted, time.Time, error) {
	var id, resp sql.NullString
	var at sql.NullInt64
	var err error
	switch {
	case s.d.lockRequester != "":
		err = tx.QueryRowContext(ctx, s.d.lockRequester, requesterID, invocationID).Scan(&id, &resp, &at)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil // no such requester: the notification's INSERT says so
		}
	case invocationID != "":
		err = tx.QueryRowContext(ctx, `SELECT notification_id, response, created_at FROM invocations
			WHERE requester_id = $1 AND invocation_id = $2`, requesterID, invocationID).Scan(&id, &resp, &at)
	}
	if err != nil {
		return turkmail.Accepted{}, time.Time{}, notFound(err)
	}
	if invocationID == "" || !id.Valid {
		return turkmail.Accepted{}, time.Time{}, turkmail.ErrNotFound
	}
	return turkmail.Accepted{NotificationID: id.String, Response: []byte(resp.String), Replayed: true}, fromMS(at.Int64), nil
}

// insertNotification writes the notification, one queued delivery per recipient (due at
// once) and, with an invocation id, the idempotency record: one statement where the dialect
// has writable CTEs (one round trip on PostgreSQL), three otherwise.
func (s *Store) insertNotification(ctx context.Context, tx *sql.Tx, n turkmail.Notification, invocationID string, d turkmail.Decision) error {
	at := ms(n.CreatedAt)
	if !s.d.writableCTE {
		if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (id, requester_id, subject, message_text, created_at)
			VALUES ($1, $2, $3, $4, $5)`, n.ID, n.RequesterID, n.Subject, n.MessageText, at); err != nil {
			return fmt.Errorf("insert notification: %w", err)
		}
		if err := insertDeliveries(ctx, tx, n, d.Queue); err != nil {
			return err
		}
		if invocationID != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO invocations (requester_id, invocation_id, notification_id, response, created_at)
				VALUES ($1, $2, $3, $4, $5)`, n.RequesterID, invocationID, n.ID, string(d.Response), at); err != nil {
				return fmt.Errorf("insert invocation: %w", err)
			}
		}
		return nil
	}
	// Data-modifying CTEs run exactly once, read or not; the foreign keys are checked at
	// the end of the statement, when the notification row is there.
	args := make([]any, 0, 7+2*len(d.Queue))
	args = append(args, n.ID, n.RequesterID, at, n.Subject, n.MessageText)
	var b strings.Builder
	b.Grow(400 + len(d.Queue)*48)
	b.WriteString(`WITH n AS (INSERT INTO notifications (id, requester_id, subject, message_text, created_at) VALUES ($1, $2, $4, $5, $3))`)
	if invocationID != "" {
		args = append(args, invocationID, string(d.Response))
		b.WriteString(`, i AS (INSERT INTO invocations (requester_id, invocation_id, notification_id, response, created_at) VALUES ($2, $6, $1, $7, $3))`)
	}
	if len(d.Queue) == 0 {
		b.WriteString(` SELECT 1`)
	} else {
		b.WriteString(" ")
		args = deliveriesSQL(&b, args, d.Queue)
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert notification: %w", err)
	}
	return nil
}

// recipientFacts reads eligibility, opt-out, suppression and recent deliveries for every
// requested worker in one query: each is a primary-key or index lookup (reviewed_workers'
// key, as in ReviewedWorkers; optouts' key, suppressions' key, deliveries_cap), whatever the
// size of the tables. Eligibility is read in the transaction's snapshot with the rest.
func (s *Store) recipientFacts(ctx context.Context, tx *sql.Tx, requesterID string, workerIDs []string, capSince time.Time) (map[string]turkmail.RecipientFacts, error) {
	args := make([]any, 0, 2+len(workerIDs))
	args = append(args, requesterID)
	// With no cap there is nothing to count, and counting would grow with the history.
	recent := `0`
	if !capSince.IsZero() {
		args = append(args, ms(capSince))
		recent = `(SELECT COUNT(*) FROM deliveries d WHERE d.requester_id = $1 AND d.worker_id = w.id AND d.created_at >= $2)`
	}
	first := len(args) + 1
	for _, id := range workerIDs {
		args = append(args, id)
	}
	rows, err := tx.QueryContext(ctx, `SELECT w.id, w.email,
			EXISTS (SELECT 1 FROM reviewed_workers r WHERE r.requester_id = $1 AND r.worker_id = w.id),
			EXISTS (SELECT 1 FROM optouts o WHERE o.worker_id = w.id AND o.requester_id = $1),
			EXISTS (SELECT 1 FROM suppressions x WHERE x.email = lower(w.email)),
			`+recent+`
		FROM workers w WHERE w.id IN (`+numberedParams(first, len(workerIDs))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("recipient facts: %w", err)
	}
	defer rows.Close()
	facts := make(map[string]turkmail.RecipientFacts, len(workerIDs))
	var unusual map[string]string // worker id → suppression key, for addresses SQL's lower() may not fold
	for rows.Next() {
		var id, email string
		var f turkmail.RecipientFacts
		if err := rows.Scan(&id, &email, &f.Reviewed, &f.OptedOut, &f.Suppressed, &f.Recent); err != nil {
			return nil, fmt.Errorf("recipient facts: %w", err)
		}
		facts[id] = f
		if !f.Suppressed && !foldsLikeKey(email) {
			if unusual == nil {
				unusual = map[string]string{}
			}
			unusual[id] = turkmail.SuppressionKey(email)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("recipient facts: %w", err)
	}
	if len(unusual) > 0 {
		if err := suppressedByKey(ctx, tx, unusual, facts); err != nil {
			return nil, err
		}
	}
	return facts, nil
}

// foldsLikeKey tells whether SQL's lower(email) certainly equals
// turkmail.SuppressionKey(email), without computing the key (the usual case costs no
// allocation): SQLite's lower() folds ASCII only, PostgreSQL's depends on the database's
// locale, and SQL trims nothing. So: ASCII only, and no space for SuppressionKey to trim.
func foldsLikeKey(email string) bool {
	if strings.TrimSpace(email) != email {
		return false
	}
	for i := 0; i < len(email); i++ {
		if email[i] >= 0x80 {
			return false
		}
	}
	return true
}

// suppressedByKey checks, with the suppression list's own key, the addresses whose case
// SQL may fold differently from turkmail.SuppressionKey (non-ASCII ones: rare).
func suppressedByKey(ctx context.Context, tx *sql.Tx, keys map[string]string, facts map[string]turkmail.RecipientFacts) error {
	args := make([]any, 0, len(keys))
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := tx.QueryContext(ctx, `SELECT email FROM suppressions WHERE email IN (`+numberedParams(1, len(args))+`)`, args...)
	if err != nil {
		return fmt.Errorf("suppressed addresses: %w", err)
	}
	defer rows.Close()
	found := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return err
		}
		found[e] = true
	}
	for id, k := range keys {
		if found[k] {
			f := facts[id]
			f.Suppressed = true
			facts[id] = f
		}
	}
	return rows.Err()
}

// insertDeliveries queues one delivery per recipient, due at once, in one statement. The
// shared values are bound once ($1–$3) and reused by every row.
func insertDeliveries(ctx context.Context, tx *sql.Tx, n turkmail.Notification, queue []turkmail.Recipient) error {
	if len(queue) == 0 {
		return nil
	}
	var b strings.Builder
	b.Grow(120 + len(queue)*48)
	args := make([]any, 0, 3+2*len(queue))
	args = deliveriesSQL(&b, append(args, n.ID, n.RequesterID, ms(n.CreatedAt)), queue)
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("insert deliveries: %w", err)
	}
	return nil
}

// deliveriesSQL writes the multi-row INSERT of queue's deliveries to b and returns args with
// each row's worker id and Message-ID appended. args must begin with the notification id,
// the requester id and the creation time ($1–$3), which every row reuses.
func deliveriesSQL(b *strings.Builder, args []any, queue []turkmail.Recipient) []any {
	b.WriteString(`INSERT INTO deliveries (notification_id, requester_id, worker_id, message_id, state, due_at, created_at, updated_at) VALUES `)
	for i, r := range queue {
		if i > 0 {
			b.WriteString(", ")
		}
		p := len(args) + 1
		b.WriteString("($1, $2, $")
		b.WriteString(strconv.Itoa(p))
		b.WriteString(", $")
		b.WriteString(strconv.Itoa(p + 1))
		b.WriteString(", '" + string(turkmail.DeliveryQueued) + "', $3, $3, $3)")
		args = append(args, r.WorkerID, r.MessageID)
	}
	return args
}

// PurgeInvocations deletes invocation records made before before. Safe on every node at
// once: each DELETE takes what is there.
func (s *Store) PurgeInvocations(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.w.ExecContext(ctx, `DELETE FROM invocations WHERE created_at < $1`, ms(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
