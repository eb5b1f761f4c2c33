package sqlstore

import (
	"context"
	"time"

	"github.com/turkmail/turkmail"
)

// CaptureMail keeps e in the capture mailbox (mail.CaptureStore). The time is the store's
// own: the moment it was captured, whatever the message's Date says.
func (s *Store) CaptureMail(ctx context.Context, e turkmail.Envelope) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO captured_mail (message_id, envelope_from, envelope_to, raw, created_at)
		VALUES ($1, $2, $3, $4, $5)`, e.MessageID, e.From, e.To, string(e.Data), time.Now().UnixMilli())
	return err
}

// ListCapturedMail returns up to limit captured messages, newest first, starting below
// beforeID when it is not 0 (the ID of the last one of the previous page).
func (s *Store) ListCapturedMail(ctx context.Context, limit int, beforeID int64) ([]turkmail.CapturedMail, error) {
	if limit <= 0 {
		limit = 50
	}
	q := `SELECT id, message_id, envelope_from, envelope_to, raw, created_at FROM captured_mail`
	args := []any{limit}
	if beforeID > 0 {
		q += ` WHERE id < $2`
		args = append(args, beforeID)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY id DESC LIMIT $1`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []turkmail.CapturedMail
	for rows.Next() {
		m, err := scanCaptured(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CapturedMail returns one captured message.
func (s *Store) CapturedMail(ctx context.Context, id int64) (turkmail.CapturedMail, error) {
	m, err := scanCaptured(s.r.QueryRowContext(ctx, `SELECT id, message_id, envelope_from, envelope_to, raw, created_at
		FROM captured_mail WHERE id = $1`, id))
	return m, notFound(err)
}

// CountCapturedMail is the number of messages in the capture mailbox.
func (s *Store) CountCapturedMail(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM captured_mail`).Scan(&n)
	return n, err
}

func scanCaptured(row interface{ Scan(...any) error }) (turkmail.CapturedMail, error) {
	var m turkmail.CapturedMail
	var raw string
	var created int64
	err := row.Scan(&m.ID, &m.MessageID, &m.EnvelopeFrom, &m.EnvelopeTo, &raw, &created)
	m.Raw, m.CreatedAt = []byte(raw), fromMS(created)
	return m, err
}
