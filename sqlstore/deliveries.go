package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/turkmail/turkmail"
)

var _ turkmail.DeliveryStore = (*Store)(nil)

// ClaimDeliveries leases up to limit due deliveries to owner in one statement. On
// PostgreSQL the row selection skips rows another dispatcher has locked, so concurrent
// claimers get disjoint batches without waiting; SQLite has one writer, so the statement
// is atomic as it stands. The state list matches the deliveries_due partial index.
func (s *Store) ClaimDeliveries(ctx context.Context, owner string, now time.Time, lease time.Duration, limit int) ([]turkmail.Outgoing, error) {
	if limit <= 0 {
		return nil, nil
	}
	rows, err := s.w.QueryContext(ctx, `UPDATE deliveries
		SET state = 'sending', lease_owner = $1, due_at = $2, attempts = attempts + 1,
			last_attempt_at = $3, updated_at = $3
		WHERE id IN (SELECT id FROM deliveries
			WHERE state IN ('queued', 'sending', 'deferred') AND due_at <= $3
			ORDER BY due_at LIMIT $4 `+s.d.skipLocked+`)
		RETURNING id, notification_id, requester_id, worker_id, message_id, attempts, due_at, created_at`,
		owner, ms(now.Add(lease)), ms(now), limit)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	var out []turkmail.Outgoing
	for rows.Next() {
		var o turkmail.Outgoing
		var due, created int64
		if err := rows.Scan(&o.ID, &o.NotificationID, &o.RequesterID, &o.WorkerID, &o.MessageID, &o.Attempts, &due, &created); err != nil {
			rows.Close()
			return nil, err
		}
		o.State, o.LeaseOwner, o.DueAt, o.CreatedAt = turkmail.DeliverySending, owner, fromMS(due), fromMS(created)
		o.LastAttemptAt, o.UpdatedAt = fromMS(ms(now)), fromMS(ms(now))
		out = append(out, o)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	if err := s.fillOutgoing(ctx, out); err != nil {
		// The rows stay leased; their lease runs out and they are claimed again.
		return nil, fmt.Errorf("read claimed deliveries: %w", err)
	}
	return out, nil
}

// fillOutgoing reads what the emails of a claimed batch are made from, in two queries for
// the whole batch: the content and the opt-outs, then the suppressed addresses (compared in
// Go's lower case, which SQLite's ASCII-only lower() would not match).
func (s *Store) fillOutgoing(ctx context.Context, out []turkmail.Outgoing) error {
	byID := make(map[int64]*turkmail.Outgoing, len(out))
	args := make([]any, len(out))
	for i := range out {
		byID[out[i].ID] = &out[i]
		args[i] = out[i].ID
	}
	rows, err := s.r.QueryContext(ctx, `SELECT d.id, n.subject, n.message_text, r.name, r.contact_email, w.email,
			EXISTS (SELECT 1 FROM optouts o WHERE o.worker_id = d.worker_id AND o.requester_id = d.requester_id)
		FROM deliveries d
		JOIN notifications n ON n.id = d.notification_id
		JOIN requesters r ON r.id = d.requester_id
		JOIN workers w ON w.id = d.worker_id
		WHERE d.id IN (`+numberedParams(1, len(args))+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	keys := map[string][]*turkmail.Outgoing{}
	for rows.Next() {
		var id int64
		var o turkmail.Outgoing
		if err := rows.Scan(&id, &o.Subject, &o.MessageText, &o.RequesterName, &o.RequesterContact, &o.WorkerEmail, &o.OptedOut); err != nil {
			return err
		}
		d := byID[id]
		d.Subject, d.MessageText, d.RequesterName, d.RequesterContact = o.Subject, o.MessageText, o.RequesterName, o.RequesterContact
		d.WorkerEmail, d.OptedOut = o.WorkerEmail, o.OptedOut
		if k := turkmail.SuppressionKey(o.WorkerEmail); k != "" {
			keys[k] = append(keys[k], d)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	emails := make([]any, 0, len(keys))
	for k := range keys {
		emails = append(emails, k)
	}
	srows, err := s.r.QueryContext(ctx, `SELECT email FROM suppressions WHERE email IN (`+numberedParams(1, len(emails))+`)`, emails...)
	if err != nil {
		return err
	}
	defer srows.Close()
	for srows.Next() {
		var e string
		if err := srows.Scan(&e); err != nil {
			return err
		}
		for _, d := range keys[e] {
			d.Suppressed = true
		}
	}
	return srows.Err()
}

// RecordDeliveries writes a batch of results in one transaction: one commit (one fsync on
// SQLite) for many sends. Results that write the same values but the text (every
// "delivered 250 2.0.0") share one UPDATE … WHERE id IN (…), the texts set by a CASE when
// they differ (a relay names its queue id in each 250); a bounce that suppresses its
// address is written alone, because the address joins the list only if the result applied.
// Every update applies only while owner still holds the row's lease.
func (s *Store) RecordDeliveries(ctx context.Context, owner string, now time.Time, results []turkmail.DeliveryResult) (int, error) {
	if len(results) == 0 {
		return 0, nil
	}
	type group struct {
		r     turkmail.DeliveryResult // the shared values; ID and Text unused
		ids   []any
		texts []string // per id
	}
	var groups []*group
	index := map[turkmail.DeliveryResult]*group{}
	var alone []turkmail.DeliveryResult
	for _, r := range results {
		if r.State != turkmail.DeliveryQueued && r.DueAt.IsZero() {
			r.DueAt = now
		}
		if r.Suppress != "" {
			alone = append(alone, r)
			continue
		}
		id, text := r.ID, r.Text
		r.ID, r.Text = 0, ""
		g := index[r]
		if g == nil {
			g = &group{r: r}
			index[r] = g
			groups = append(groups, g)
		}
		g.ids = append(g.ids, id)
		g.texts = append(g.texts, text)
	}
	applied := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		applied = 0
		for _, g := range groups {
			for start := 0; start < len(g.ids); start += maxRecordIDs {
				end := min(start+maxRecordIDs, len(g.ids))
				n, err := recordGroup(ctx, tx, owner, now, g.r, g.ids[start:end], g.texts[start:end])
				if err != nil {
					return err
				}
				applied += n
			}
		}
		for _, r := range alone {
			n, err := recordGroup(ctx, tx, owner, now, r, []any{r.ID}, []string{r.Text})
			if err != nil {
				return err
			}
			applied += n
			if n == 1 {
				if _, err := tx.ExecContext(ctx, `INSERT INTO suppressions (email, reason, created_at) VALUES ($1, $2, $3)
					ON CONFLICT (email) DO NOTHING`, turkmail.SuppressionKey(r.Suppress), suppressionReason(r), ms(now)); err != nil {
					return fmt.Errorf("suppress address: %w", err)
				}
			}
		}
		return nil
	})
	return applied, err
}

// maxRecordIDs bounds an IN list (and a CASE of id, text pairs beside it: three parameters
// per id), well under SQLite's and PostgreSQL's parameter limits.
const maxRecordIDs = 500

// recordGroup writes r's values, and texts[i] as the text of ids[i], to the deliveries ids
// still leased to owner.
func recordGroup(ctx context.Context, tx *sql.Tx, owner string, now time.Time, r turkmail.DeliveryResult, ids []any, texts []string) (int, error) {
	var res sql.Result
	var err error
	if r.State == turkmail.DeliveryQueued {
		// A release: the claim is handed back untried, so it does not count.
		res, err = tx.ExecContext(ctx, `UPDATE deliveries
			SET state = 'queued', due_at = $1, lease_owner = '', attempts = attempts - 1, updated_at = $1
			WHERE lease_owner = $2 AND state = 'sending' AND id IN (`+numberedParams(3, len(ids))+`)`,
			append([]any{ms(now), owner}, ids...)...)
	} else {
		textExpr, args := "$5", []any{string(r.State), ms(r.DueAt), r.Code, r.Enhanced, texts[0], ms(now), owner}
		args = append(args, ids...)
		if !allEqual(texts) {
			textExpr, args = textCase(ids, texts, args)
		}
		res, err = tx.ExecContext(ctx, `UPDATE deliveries
			SET state = $1, due_at = $2, lease_owner = '', last_code = $3, last_enhanced = $4, last_text = `+textExpr+`, updated_at = $6
			WHERE lease_owner = $7 AND state = 'sending' AND id IN (`+numberedParams(8, len(ids))+`)`, args...)
	}
	if err != nil {
		return 0, fmt.Errorf("record deliveries: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// textCase returns "CASE id WHEN $a THEN $b … ELSE $5 END" giving each of ids its text,
// with args extended by the pairs. $5 (the first text) stays referenced because PostgreSQL
// refuses a parameter whose type it cannot infer; the ELSE is never taken.
func textCase(ids []any, texts []string, args []any) (string, []any) {
	var b strings.Builder
	b.WriteString("CASE id")
	for i, id := range ids {
		n := len(args)
		fmt.Fprintf(&b, " WHEN $%d THEN $%d", n+1, n+2)
		args = append(args, id, texts[i])
	}
	b.WriteString(" ELSE $5 END")
	return b.String(), args
}

func allEqual(texts []string) bool {
	for _, t := range texts[1:] {
		if t != texts[0] {
			return false
		}
	}
	return true
}

// suppressionReason is the bounce that put an address on the list, as the relay said it.
func suppressionReason(r turkmail.DeliveryResult) string {
	parts := make([]string, 0, 3)
	if r.Code != 0 {
		parts = append(parts, strconv.Itoa(r.Code))
	}
	if r.Enhanced != "" {
		parts = append(parts, r.Enhanced)
	}
	if r.Text != "" {
		parts = append(parts, r.Text)
	}
	return strings.Join(parts, " ")
}

const deliveryColumns = `id, notification_id, requester_id, worker_id, message_id, state, attempts, due_at,
	lease_owner, last_attempt_at, last_code, last_enhanced, last_text, created_at, updated_at`

func scanDelivery(row interface{ Scan(...any) error }) (turkmail.Delivery, error) {
	var d turkmail.Delivery
	var state string
	var due, created, updated int64
	var last sql.NullInt64
	err := row.Scan(&d.ID, &d.NotificationID, &d.RequesterID, &d.WorkerID, &d.MessageID, &state, &d.Attempts, &due,
		&d.LeaseOwner, &last, &d.LastCode, &d.LastEnhanced, &d.LastText, &created, &updated)
	d.State, d.DueAt, d.LastAttemptAt = turkmail.DeliveryState(state), fromMS(due), fromNullMS(last)
	d.CreatedAt, d.UpdatedAt = fromMS(created), fromMS(updated)
	return d, err
}

// Delivery returns one delivery by its row id.
func (s *Store) Delivery(ctx context.Context, id int64) (turkmail.Delivery, error) {
	d, err := scanDelivery(s.r.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE id = $1`, id))
	return d, notFound(err)
}

// CountDeliveries counts deliveries by state; states with none are absent.
func (s *Store) CountDeliveries(ctx context.Context) (map[turkmail.DeliveryState]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT state, COUNT(*) FROM deliveries GROUP BY state`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[turkmail.DeliveryState]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[turkmail.DeliveryState(st)] = n
	}
	return out, rows.Err()
}

// IsSuppressed tells whether email (in any case) is on the suppression list.
func (s *Store) IsSuppressed(ctx context.Context, email string) (bool, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM suppressions WHERE email = $1`, turkmail.SuppressionKey(email)).Scan(&n)
	return n > 0, err
}

// numberedParams returns "$start, $start+1, …" n times, for an IN list.
func numberedParams(start, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(start + i))
	}
	return b.String()
}
