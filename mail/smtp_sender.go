package mail

import (
	"context"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/turkmail/turkmail"
)

// SMTPSender sends envelopes through one relay, one SMTP transaction (MAIL, one RCPT,
// DATA) per envelope, over a pool of at most Connections connections that are reused:
// setting up TCP, TLS and AUTH costs far more than a transaction.
type SMTPSender struct {
	cfg  SMTPConfig
	addr string

	// tokens holds one entry per open connection, idle or busy, so a full channel means
	// a caller waits for a busy connection rather than opening one more.
	tokens chan struct{}
	idle   chan *smtpConn

	mu     sync.Mutex
	closed bool
}

// NewSMTPSender returns a sender for c; it connects lazily, on the first Send. Zero fields
// of c take the documented defaults; the caller's TLSConfig is not modified.
func NewSMTPSender(c SMTPConfig) *SMTPSender {
	c = c.withDefaults()
	return &SMTPSender{
		cfg:    c,
		addr:   net.JoinHostPort(c.Host, strconv.Itoa(c.Port)),
		tokens: make(chan struct{}, c.Connections),
		idle:   make(chan *smtpConn, c.Connections),
	}
}

// Send delivers e in one transaction and returns the relay's reply once it accepted the
// message (250 after the final dot; the text redacted, as failures' are). Any failure is a *turkmail.SendError: permanent for a 5xx reply
// to MAIL, RCPT or DATA; transient for 4xx, session setup, network errors, timeouts and
// ctx expiry, and for a connection lost after the message was sent, when the relay may
// have queued it already (Code 0).
func (s *SMTPSender) Send(ctx context.Context, e turkmail.Envelope) (turkmail.Reply, error) {
	if err := checkEnvelope(e); err != nil {
		return turkmail.Reply{}, err
	}
	// A reused connection may have been closed by the relay while idle; that shows at
	// RSET, before anything of this message was sent, so trying the next connection is
	// safe. Bounded because each stale connection is discarded.
	for range s.cfg.Connections + 1 {
		c, reused, serr := s.get(ctx)
		if serr != nil {
			return turkmail.Reply{}, serr
		}
		res := c.transaction(ctx, e, reused)
		if res.stale && reused {
			s.discard(c)
			continue
		}
		if res.reusable {
			s.put(c)
		} else {
			s.discard(c)
		}
		if res.err != nil {
			return turkmail.Reply{}, res.err
		}
		return res.reply, nil
	}
	return turkmail.Reply{}, &turkmail.SendError{Text: "smtp: no usable connection to the relay"}
}

// Close says QUIT on the idle connections and closes them, and makes later Sends fail.
// Connections in use are closed when their Send returns. A failed QUIT is not reported:
// the relay may have dropped an idle connection long ago, and nothing is lost.
func (s *SMTPSender) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	for {
		select {
		case c := <-s.idle:
			_ = c.quit()
			<-s.tokens
		default:
			return nil
		}
	}
}

// get returns an idle connection if there is one, else dials a new one while fewer than
// Connections are open, else waits for one to come back.
func (s *SMTPSender) get(ctx context.Context) (c *smtpConn, reused bool, err *turkmail.SendError) {
	if s.isClosed() {
		return nil, false, &turkmail.SendError{Text: "smtp: sender closed"}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, connError("waiting for a connection", err)
	}
	select {
	case c := <-s.idle:
		return c, true, nil
	default:
	}
	select {
	case c := <-s.idle:
		return c, true, nil
	case s.tokens <- struct{}{}:
		c, err := dialSMTP(ctx, s.cfg, s.addr)
		if err != nil {
			<-s.tokens
			return nil, false, err
		}
		return c, false, nil
	case <-ctx.Done():
		return nil, false, connError("waiting for a connection", ctx.Err())
	}
}

func (s *SMTPSender) put(c *smtpConn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		_ = c.quit()
		<-s.tokens
		return
	}
	s.idle <- c // never blocks: at most Connections exist, each holding a token
}

func (s *SMTPSender) discard(c *smtpConn) {
	c.close()
	<-s.tokens
}

func (s *SMTPSender) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// checkEnvelope refuses what would break the SMTP commands themselves; retrying cannot
// repair it, so the error is permanent. The address is not quoted in the text.
func checkEnvelope(e turkmail.Envelope) *turkmail.SendError {
	bad := func(what string) *turkmail.SendError {
		return &turkmail.SendError{Permanent: true, Text: "smtp: invalid envelope " + what}
	}
	switch {
	case e.To == "":
		return bad("recipient: empty")
	case strings.ContainsAny(e.To, "\r\n\x00<> "):
		return bad("recipient: control character, space or angle bracket")
	case strings.ContainsAny(e.From, "\r\n\x00<> "):
		return bad("sender: control character, space or angle bracket")
	case len(e.Data) == 0:
		return bad("data: empty")
	}
	return nil
}
