package mail

import (
	"context"
	"errors"
	"net/textproto"
	"strings"

	"github.com/turkmail/turkmail"
)

// replyError turns a relay's reply to a message command (MAIL, RCPT, DATA, the final dot)
// into a SendError: the reply code decides, 5xx permanent and everything else transient.
func replyError(te *textproto.Error) *turkmail.SendError {
	enhanced, text := splitEnhanced(te.Msg)
	return &turkmail.SendError{
		Permanent: te.Code >= 500 && te.Code < 600,
		Code:      te.Code,
		Enhanced:  enhanced,
		Text:      RedactAddresses(text),
	}
}

// sessionError is a failure while setting the session up (greeting, EHLO, STARTTLS, AUTH).
// It is transient whatever the code: a relay refusing us, or a wrong password, is the
// operator's to fix and says nothing about the recipient, so the delivery must wait rather
// than bounce.
func sessionError(stage string, err error) *turkmail.SendError {
	var te *textproto.Error
	if errors.As(err, &te) {
		se := replyError(te)
		se.Permanent = false
		se.Text = stage + ": " + se.Text
		return se
	}
	return connError(stage, err)
}

// connError is a failure with no reply to classify: network, TLS, timeout, protocol.
func connError(stage string, err error) *turkmail.SendError {
	return &turkmail.SendError{Text: RedactAddresses("smtp " + stage + ": " + err.Error())}
}

// commandError classifies err from a message command: a reply, or a lost connection.
func commandError(ctx context.Context, stage string, err error) *turkmail.SendError {
	var te *textproto.Error
	if errors.As(err, &te) {
		return replyError(te)
	}
	return connError(stage, ctxOr(ctx, err))
}

// splitEnhanced takes the RFC 3463 enhanced status code off the front of a reply text
// ("5.1.1 <bob@example.com>: Recipient address rejected") and joins a multi-line reply
// into one line, dropping the code repeated on every line.
func splitEnhanced(msg string) (enhanced, text string) {
	lines := strings.Split(msg, "\n")
	for i, line := range lines {
		code, rest := cutEnhanced(strings.TrimSpace(line))
		if i == 0 {
			enhanced = code
		}
		lines[i] = rest
	}
	return enhanced, strings.Join(lines, " ")
}

// cutEnhanced splits "class.subject.detail rest" where class is 2, 4 or 5, subject 0–999
// and detail 0–999 (RFC 3463 §2).
func cutEnhanced(s string) (code, rest string) {
	field, tail, _ := strings.Cut(s, " ")
	parts := strings.Split(field, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.ContainsAny(parts[0], "245") {
		return "", s
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return "", s
		}
	}
	return field, strings.TrimSpace(tail)
}
