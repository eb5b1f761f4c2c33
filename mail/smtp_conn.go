package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/turkmail/turkmail"
	gosmtp "github.com/wneessen/go-mail/smtp"
)

// quitTimeout bounds the polite QUIT on Close; the relay's answer is not worth waiting for.
const quitTimeout = 5 * time.Second

// smtpConn is one authenticated session with the relay. The go-mail high-level Client
// renders its own messages and may send several RCPTs per message; turkmail composes the
// bytes itself and needs one RCPT and the reply code, so the smtp sub-package is used.
type smtpConn struct {
	raw     net.Conn // the TCP connection under any TLS, for deadlines
	client  *gosmtp.Client
	timeout time.Duration
}

// dialSMTP connects, says EHLO, starts TLS as configured and authenticates. Every failure
// is transient (see sessionError).
func dialSMTP(ctx context.Context, cfg SMTPConfig, addr string) (*smtpConn, *turkmail.SendError) {
	if err := cfg.checkCredentials(); err != nil {
		return nil, &turkmail.SendError{Text: "smtp: " + strings.TrimPrefix(err.Error(), "smtp url: ")}
	}
	d := net.Dialer{Timeout: cfg.DialTimeout}
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, connError("connect", ctxOr(ctx, err))
	}
	c := &smtpConn{raw: raw, timeout: cfg.CommandTimeout}
	stop := context.AfterFunc(ctx, c.abort)
	serr := c.setUp(ctx, cfg)
	if !stop() && serr == nil {
		serr = connError("session setup", ctx.Err())
	}
	if serr != nil {
		c.close()
		return nil, serr
	}
	return c, nil
}

func (c *smtpConn) setUp(ctx context.Context, cfg SMTPConfig) *turkmail.SendError {
	c.deadline(ctx)
	var conn net.Conn = c.raw
	if cfg.TLS == TLSImplicit {
		tc := tls.Client(c.raw, cfg.TLSConfig)
		if err := tc.HandshakeContext(ctx); err != nil {
			return connError("TLS handshake", ctxOr(ctx, err))
		}
		conn = tc
	}
	client, err := gosmtp.NewClient(conn, cfg.Host)
	if err != nil {
		return sessionError("greeting", ctxOr(ctx, err))
	}
	c.client = client
	if err := client.Hello(cfg.HeloName); err != nil {
		return sessionError("EHLO", ctxOr(ctx, err))
	}
	if cfg.TLS == TLSStartTLS {
		// Never fall back to cleartext: a relay that stops offering STARTTLS may be an
		// attacker stripping it.
		if ok, _ := client.Extension("STARTTLS"); !ok {
			return &turkmail.SendError{Text: "smtp STARTTLS: the relay does not offer STARTTLS (tls=starttls)"}
		}
		c.deadline(ctx)
		if err := client.StartTLS(cfg.TLSConfig); err != nil {
			return sessionError("STARTTLS", ctxOr(ctx, err))
		}
	}
	if cfg.Username != "" {
		c.deadline(ctx)
		return c.auth(ctx, cfg)
	}
	return nil
}

// auth prefers PLAIN and falls back to LOGIN. go-mail refuses either without TLS unless
// allowed; we allow it only for tls=none to a loopback host (checked in dialSMTP).
func (c *smtpConn) auth(ctx context.Context, cfg SMTPConfig) *turkmail.SendError {
	ok, mechs := c.client.Extension("AUTH")
	if !ok {
		return &turkmail.SendError{Text: "smtp AUTH: the relay does not offer AUTH but credentials are configured"}
	}
	insecure := cfg.TLS == TLSNone
	offered := strings.Fields(strings.ToUpper(mechs))
	var a gosmtp.Auth
	switch {
	case slices.Contains(offered, "PLAIN"):
		a = gosmtp.PlainAuth("", cfg.Username, cfg.Password, cfg.Host, insecure)
	case slices.Contains(offered, "LOGIN"):
		a = gosmtp.LoginAuth(cfg.Username, cfg.Password, cfg.Host, insecure)
	default:
		return &turkmail.SendError{Text: "smtp AUTH: the relay offers neither PLAIN nor LOGIN"}
	}
	if err := c.client.Auth(a); err != nil {
		return sessionError("AUTH", ctxOr(ctx, err))
	}
	return nil
}

// txResult is how a transaction ended and what may be done with the connection.
type txResult struct {
	reply    turkmail.Reply // the relay's acceptance, when err is nil
	err      *turkmail.SendError
	reusable bool // the session is in a known state: may go back to the pool
	stale    bool // failed at RSET, before any of this message was sent
}

// transaction runs RSET (on a reused connection), MAIL, RCPT and DATA for e.
func (c *smtpConn) transaction(ctx context.Context, e turkmail.Envelope, reused bool) (res txResult) {
	stop := context.AfterFunc(ctx, c.abort)
	defer func() {
		if !stop() {
			// ctx ended during the transaction: the deadline was forced into the past and
			// the session's state is unknown. A reply already received still stands.
			res.reusable = false
			res.stale = false
		}
	}()

	if reused {
		c.deadline(ctx)
		if err := c.client.Reset(); err != nil {
			return txResult{err: commandError(ctx, "RSET", err), stale: ctx.Err() == nil}
		}
	}
	c.deadline(ctx)
	if err := c.client.Mail("<" + e.From + ">"); err != nil {
		return c.failed(ctx, "MAIL FROM", err)
	}
	c.deadline(ctx)
	if err := c.client.Rcpt("<" + e.To + ">"); err != nil {
		return c.failed(ctx, "RCPT TO", err)
	}
	c.deadline(ctx)
	w, err := c.client.Data()
	if err != nil {
		return c.failed(ctx, "DATA", err)
	}
	if _, err := w.Write(e.Data); err != nil {
		return txResult{err: connError("DATA", ctxOr(ctx, err))}
	}
	if err := w.Close(); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return c.failed(ctx, "DATA", err)
		}
		return txResult{err: connError("DATA",
			errors.New("connection lost after the message was sent, before the relay answered; "+
				"it may have been queued: "+ctxOr(ctx, err).Error()))}
	}
	return txResult{reply: acceptance(w), reusable: true}
}

// acceptance is the relay's answer to the final dot. go-mail checks that it is 250 and
// keeps its text; the text is the one place a relay names its queue id, which is what an
// operator looks for in the relay's logs, so it is recorded like a failure's text.
func acceptance(w io.Writer) turkmail.Reply {
	r := turkmail.Reply{Code: 250}
	if sr, ok := w.(interface{ ServerResponse() string }); ok {
		r.Enhanced, r.Text = splitEnhanced(sr.ServerResponse())
		r.Text = RedactAddresses(r.Text)
	}
	return r
}

// failed classifies a command's error. After a reply the session is still in step, unless
// the reply was 421, the relay's notice that it is closing the connection.
func (c *smtpConn) failed(ctx context.Context, stage string, err error) txResult {
	se := commandError(ctx, stage, err)
	return txResult{err: se, reusable: se.Code != 0 && se.Code != 421}
}

// deadline bounds the next command by CommandTimeout and by ctx's deadline.
func (c *smtpConn) deadline(ctx context.Context) {
	t := time.Now().Add(c.timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(t) {
		t = d
	}
	_ = c.raw.SetDeadline(t)
}

// abort unblocks any read or write in progress when ctx ends without a deadline.
func (c *smtpConn) abort() {
	_ = c.raw.SetDeadline(time.Unix(1, 0))
}

func (c *smtpConn) quit() error {
	_ = c.raw.SetDeadline(time.Now().Add(min(quitTimeout, c.timeout)))
	err := c.client.Quit()
	c.close()
	return err
}

func (c *smtpConn) close() {
	if c.client != nil {
		_ = c.client.Close()
	}
	_ = c.raw.Close()
}

// ctxOr reports ctx's error instead of err when ctx has ended: "i/o timeout" after a
// deadline taken from ctx is less clear than "context deadline exceeded". The socket's
// deadline can fire a moment before ctx's own timer, hence the clock check.
func ctxOr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	var ne net.Error
	if d, ok := ctx.Deadline(); ok && errors.As(err, &ne) && ne.Timeout() && !time.Now().Before(d) {
		return context.DeadlineExceeded
	}
	return err
}
