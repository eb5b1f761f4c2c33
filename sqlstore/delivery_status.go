package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/turkmail/turkmail"
)

// ListNotificationSummaries pages the requester's notifications newest first. The inner
// query walks the notifications_requester index backwards from the cursor; the counts are
// then grouped per (notification, state) over the deliveries' (notification_id, worker_id)
// index, so a page costs the same whatever the size of the history.
func (s *Store) ListNotificationSummaries(ctx context.Context, requesterID string, p turkmail.Page) ([]turkmail.NotificationSummary, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	args := []any{requesterID}
	after := ""
	if !p.After.At.IsZero() || p.After.ID != "" {
		args = append(args, ms(p.After.At), p.After.ID)
		after = `AND (created_at < $2 OR (created_at = $2 AND id < $3))`
	}
	args = append(args, p.Limit)
	rows, err := s.r.QueryContext(ctx, `SELECT n.id, n.subject, n.created_at, d.state, COUNT(d.id)
		FROM (SELECT id, subject, created_at FROM notifications
			WHERE requester_id = $1 `+after+`
			ORDER BY created_at DESC, id DESC LIMIT $`+fmt.Sprint(len(args))+`) n
		LEFT JOIN deliveries d ON d.notification_id = n.id
		GROUP BY n.id, n.subject, n.created_at, d.state
		ORDER BY n.created_at DESC, n.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.NotificationSummary
	for rows.Next() {
		var id, subject string
		var created int64
		var state sql.NullString
		var n int
		if err := rows.Scan(&id, &subject, &created, &state, &n); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != id {
			out = append(out, turkmail.NotificationSummary{ID: id, RequesterID: requesterID, Subject: subject, CreatedAt: fromMS(created)})
		}
		cur := &out[len(out)-1]
		cur.WorkerCount += n
		cur.Counts.Add(turkmail.DeliveryState(state.String), n)
	}
	return out, rows.Err()
}

// NotificationReport reads the notification and its deliveries in one statement, so the
// counts and the per-worker lines always agree. The requester is part of the WHERE clause:
// another requester's notification is simply not found.
func (s *Store) NotificationReport(ctx context.Context, requesterID, notificationID string) (turkmail.NotificationReport, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n.subject, n.created_at,
			d.worker_id, d.state, d.attempts, d.last_attempt_at, d.last_code, d.last_enhanced, d.last_text
		FROM notifications n
		LEFT JOIN deliveries d ON d.notification_id = n.id
		WHERE n.id = $1 AND n.requester_id = $2
		ORDER BY d.worker_id`, notificationID, requesterID)
	if err != nil {
		return turkmail.NotificationReport{}, err
	}
	defer rows.Close()
	var r turkmail.NotificationReport
	found := false
	for rows.Next() {
		var created int64
		var worker, state, enhanced, text sql.NullString
		var attempts, lastAt, code sql.NullInt64
		if err := rows.Scan(&r.Subject, &created, &worker, &state, &attempts, &lastAt, &code, &enhanced, &text); err != nil {
			return turkmail.NotificationReport{}, err
		}
		found = true
		r.CreatedAt = fromMS(created)
		if !worker.Valid {
			continue // a notification without deliveries: every worker was refused
		}
		d := turkmail.DeliveryReport{WorkerID: worker.String, State: turkmail.DeliveryState(state.String),
			Attempts: int(attempts.Int64), LastAttemptAt: fromNullMS(lastAt), LastCode: int(code.Int64),
			LastEnhanced: enhanced.String, LastText: text.String}
		r.Deliveries = append(r.Deliveries, d)
		r.WorkerCount++
		r.Counts.Add(d.State, 1)
	}
	if err := rows.Err(); err != nil {
		return turkmail.NotificationReport{}, err
	}
	if !found {
		return turkmail.NotificationReport{}, turkmail.ErrNotFound
	}
	r.ID, r.RequesterID = notificationID, requesterID
	return r, nil
}

const deliveryRecordColumns = `d.id, d.notification_id, d.requester_id, d.worker_id, d.message_id, d.state, d.attempts,
	d.due_at, d.lease_owner, d.last_attempt_at, d.last_code, d.last_enhanced, d.last_text, d.created_at, d.updated_at`

// ListDeliveryRecords is the operator's listing. The workers table is joined only when the
// operator asked for addresses, so without the flag no address is even read.
func (s *Store) ListDeliveryRecords(ctx context.Context, f turkmail.DeliveryFilter) ([]turkmail.DeliveryRecord, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.NotificationID != "" {
		add("d.notification_id = $%d", f.NotificationID)
	}
	if f.RequesterID != "" {
		add("d.requester_id = $%d", f.RequesterID)
	}
	if f.WorkerID != "" {
		add("d.worker_id = $%d", f.WorkerID)
	}
	if f.State != "" {
		add("d.state = $%d", string(f.State))
	}
	q := `SELECT ` + deliveryRecordColumns
	if f.WithAddresses {
		q += `, w.email FROM deliveries d JOIN workers w ON w.id = d.worker_id`
	} else {
		q += `, '' FROM deliveries d`
	}
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(` ORDER BY d.created_at DESC, d.id DESC LIMIT $%d`, len(args))
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.DeliveryRecord
	for rows.Next() {
		var r turkmail.DeliveryRecord
		var state string
		var due, created, updated int64
		var lastAt sql.NullInt64
		if err := rows.Scan(&r.ID, &r.NotificationID, &r.RequesterID, &r.WorkerID, &r.MessageID, &state, &r.Attempts,
			&due, &r.LeaseOwner, &lastAt, &r.LastCode, &r.LastEnhanced, &r.LastText, &created, &updated, &r.WorkerEmail); err != nil {
			return nil, err
		}
		r.State, r.DueAt, r.LastAttemptAt = turkmail.DeliveryState(state), fromMS(due), fromNullMS(lastAt)
		r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
		out = append(out, r)
	}
	return out, rows.Err()
}
