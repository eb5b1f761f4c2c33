package mail

import (
	"bytes"
	"errors"
	"fmt"
	"mime/quotedprintable"
	"net/url"
	"strings"
	"time"
)

// Message is everything one notification email is made from. The caller fills it per
// delivery; MessageID must be the same on every attempt of that delivery so that a
// duplicate caused by an at-least-once retry is recognisable.
type Message struct {
	MessageID      string    // "<...@host>", stable per delivery
	Date           time.Time // the Date header; the caller's clock, not ours
	FromAddress    string    // operator's configured address
	FromName       string    // requester's display name, any Unicode
	To             string    // worker's address
	ReplyTo        string    // requester contact address; header only when non-empty
	Subject        string    // any Unicode, no control characters
	RequesterName  string    // named in the first body line and the footer
	Text           string    // the requester's MessageText, any line ends
	WorkerID       string    // named in the footer
	UnsubscribeURL string    // absolute http(s) URL, one-click (RFC 8058)
}

// maxURLLen keeps the List-Unsubscribe line, which cannot be folded inside the URL, under
// the 998-octet limit of RFC 5322.
const maxURLLen = 900

// FieldError reports a Message field whose value would corrupt the rendered message.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	return "mail: invalid " + e.Field + ": " + e.Reason
}

// Compose renders m as a complete RFC 5322 message with CRLF line ends: a fixed header
// order, an RFC 2047-encoded and folded Subject and display name, and a quoted-printable
// UTF-8 body that says who sent it, why the worker got it and how to stop it.
func Compose(m Message) ([]byte, error) {
	if err := validate(&m); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	// Sized so the buffer rarely grows: QP adds about a third for Latin scripts (up to
	// three times for others); headers and footer fit in the extra kilobyte.
	buf.Grow(len(m.Text)*3/2 + len(m.Subject)*2 + 1024 + 2*len(m.UnsubscribeURL))
	w := headerWriter{buf: &buf}

	w.simple("Date", m.Date.Format(time.RFC1123Z))
	w.address("From", m.FromName, m.FromAddress)
	w.simple("To", m.To)
	if m.ReplyTo != "" {
		w.simple("Reply-To", m.ReplyTo)
	}
	w.unstructured("Subject", m.Subject)
	w.simple("Message-ID", m.MessageID)
	buf.WriteString("MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=UTF-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n")
	w.simple("List-Unsubscribe", "<"+m.UnsubscribeURL+">")
	buf.WriteString("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" +
		"Auto-Submitted: auto-generated\r\n" +
		"\r\n")

	qp := quotedprintable.NewWriter(&buf)
	body := appendBody(make([]byte, 0, bodySize(&m)), &m)
	_, err := qp.Write(body)
	if err == nil {
		err = qp.Close()
	}
	if err != nil {
		// bytes.Buffer never fails; a failure here is a bug, not bad input.
		return nil, fmt.Errorf("mail: encoding body: %w", err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("\r\n")) {
		buf.WriteString("\r\n")
	}
	return buf.Bytes(), nil
}

// validate rejects values that would break the message's structure. Content rules
// (lengths, allowed characters in Subject) are the API's job and were checked upstream;
// here only what would corrupt the wire format matters.
func validate(m *Message) error {
	required := [...]struct{ name, value string }{
		{"MessageID", m.MessageID},
		{"FromAddress", m.FromAddress},
		{"To", m.To},
		{"RequesterName", m.RequesterName},
		{"WorkerID", m.WorkerID},
		{"UnsubscribeURL", m.UnsubscribeURL},
	}
	for _, f := range required {
		if f.value == "" {
			return &FieldError{f.name, "empty"}
		}
	}
	lineFields := [...]struct{ name, value string }{
		{"MessageID", m.MessageID},
		{"FromAddress", m.FromAddress},
		{"FromName", m.FromName},
		{"To", m.To},
		{"ReplyTo", m.ReplyTo},
		{"Subject", m.Subject},
		{"RequesterName", m.RequesterName},
		{"WorkerID", m.WorkerID},
		{"UnsubscribeURL", m.UnsubscribeURL},
	}
	for _, f := range lineFields {
		if i := strings.IndexAny(f.value, "\r\n\x00"); i >= 0 {
			return &FieldError{f.name, fmt.Sprintf("control character %q at byte %d", f.value[i], i)}
		}
	}
	for _, f := range [...]struct{ name, value string }{
		{"FromAddress", m.FromAddress}, {"To", m.To}, {"ReplyTo", m.ReplyTo},
	} {
		if strings.ContainsAny(f.value, "<>\" \t,") {
			return &FieldError{f.name, "not a bare address"}
		}
	}
	if strings.IndexByte(m.Text, 0) >= 0 {
		return &FieldError{"Text", "contains NUL"}
	}
	if len(m.MessageID) < 3 || m.MessageID[0] != '<' || m.MessageID[len(m.MessageID)-1] != '>' ||
		strings.ContainsAny(m.MessageID[1:len(m.MessageID)-1], "<> \t") {
		return &FieldError{"MessageID", "must look like <id@host>"}
	}
	if m.Date.IsZero() {
		return &FieldError{"Date", "zero time"}
	}
	return validateURL(m.UnsubscribeURL)
}

func validateURL(raw string) error {
	if len(raw) > maxURLLen {
		return &FieldError{"UnsubscribeURL", fmt.Sprintf("%d bytes, more than %d", len(raw), maxURLLen)}
	}
	if strings.ContainsAny(raw, " \t<>\"") {
		return &FieldError{"UnsubscribeURL", "contains space, quote or angle bracket"}
	}
	u, err := url.Parse(raw)
	if err != nil {
		reason := "unparsable"
		if inner := errors.Unwrap(err); inner != nil {
			reason = inner.Error() // without the URL, which may carry a token
		}
		return &FieldError{"UnsubscribeURL", reason}
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &FieldError{"UnsubscribeURL", "must be an absolute http or https URL"}
	}
	return nil
}
