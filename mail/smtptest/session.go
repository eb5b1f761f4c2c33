package smtptest

import (
	"io"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// dropped is returned after the session closed its own connection; nobody sees it.
type dropped struct{}

func (dropped) Error() string { return "smtptest: connection dropped on purpose" }

// session is one SMTP session; go-smtp drives it from one goroutine per connection.
type session struct {
	s      *Server
	conn   *smtp.Conn
	authed bool
	from   string
	rcpts  []rcpt
}

type rcpt struct {
	to string
	b  Behaviour
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, conn: c}, nil
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.cfg.username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.s.cfg.username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != ss.s.cfg.username || password != ss.s.cfg.password {
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.cfg.username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	b := ss.s.decide(to)
	if b.Action == ActReplyRcpt {
		ss.s.sleep(b.Delay)
		return b.smtpError()
	}
	ss.rcpts = append(ss.rcpts, rcpt{to: to, b: b})
	return nil
}

// Data acts on the first recipient that asked for something other than acceptance; the
// sender under test uses one recipient per transaction anyway.
func (ss *session) Data(r io.Reader) error {
	b := Accept()
	for _, rc := range ss.rcpts {
		b.Delay = max(b.Delay, rc.b.Delay)
		if rc.b.Action != ActAccept {
			b = rc.b
			break
		}
		if rc.b.Code != 0 {
			b.Code, b.Enhanced, b.Text = rc.b.Code, rc.b.Enhanced, rc.b.Text
		}
	}
	switch b.Action {
	case ActDropMidData:
		var head [16]byte
		_, _ = io.ReadFull(r, head[:])
		_ = ss.conn.Conn().Close()
		return dropped{}
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	switch b.Action {
	case ActReplyData:
		ss.s.sleep(b.Delay)
		return b.smtpError()
	case ActDropAfterDot:
		ss.recordAll(data)
		ss.s.sleep(b.Delay)
		_ = ss.conn.Conn().Close()
		return dropped{}
	}
	// Recorded before the delay: a relay that answers late has queued the message
	// already, even if the client gave up waiting.
	ss.recordAll(data)
	ss.s.sleep(b.Delay)
	if b.Code != 0 {
		return b.smtpError() // go-smtp writes it as it is: a 250 with AcceptWith's text
	}
	return nil
}

func (ss *session) recordAll(data []byte) {
	for _, rc := range ss.rcpts {
		ss.s.record(ss.from, rc.to, data)
	}
}

func (ss *session) Reset() {
	ss.from = ""
	ss.rcpts = nil
}

func (ss *session) Logout() error { return nil }
