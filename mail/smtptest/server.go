package smtptest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/mail"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Received is one message as the server got it: one per recipient.
type Received struct {
	From      string
	To        string
	Data      []byte
	MessageID string // the Message-ID header, angle brackets included; empty if absent
}

// Option configures a Server.
type Option func(*config)

type config struct {
	username, password string
	startTLS           bool
	implicitTLS        bool
	insecureAuth       bool
}

// WithAuth offers AUTH PLAIN and requires it, with these credentials, before MAIL.
func WithAuth(username, password string) Option {
	return func(c *config) { c.username, c.password = username, password }
}

// WithSTARTTLS offers STARTTLS with the generated certificate.
func WithSTARTTLS() Option { return func(c *config) { c.startTLS = true } }

// WithImplicitTLS speaks TLS from the first byte, like port 465.
func WithImplicitTLS() Option { return func(c *config) { c.implicitTLS = true } }

// WithInsecureAuth offers AUTH on a cleartext connection too.
func WithInsecureAuth() Option { return func(c *config) { c.insecureAuth = true } }

// Server is an SMTP server on 127.0.0.1 that records what it receives. Its methods are
// safe for concurrent use.
type Server struct {
	cfg     config
	srv     *smtp.Server
	addr    string
	pool    *x509.CertPool
	certPEM []byte        // the self-signed certificate, for a client in another process
	done    chan struct{} // closed at cleanup, to cut Delay short
	counter *connCounter

	mu        sync.Mutex
	behaviour func(rcpt string, attempt int) Behaviour
	attempts  map[string]int
	received  []Received
}

// NewServer starts a server listening on 127.0.0.1:0; it is closed with t.Cleanup.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := &Server{done: make(chan struct{}), counter: &connCounter{}, attempts: map[string]int{}}
	for _, o := range opts {
		o(&s.cfg)
	}
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "smtptest.localhost"
	srv.MaxMessageBytes = 32 << 20
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	srv.AllowInsecureAuth = s.cfg.insecureAuth
	srv.ErrorLog = log.New(io.Discard, "", 0)

	var tlsConfig *tls.Config
	if s.cfg.startTLS || s.cfg.implicitTLS {
		cert, pool, err := selfSigned(time.Now())
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.pool = pool
		s.certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Leaf.Raw})
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{*cert}, MinVersion: tls.VersionTLS12}
	}
	if s.cfg.startTLS {
		srv.TLSConfig = tlsConfig
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.addr = ln.Addr().String()
	var l net.Listener = countingListener{Listener: ln, counter: s.counter}
	if s.cfg.implicitTLS {
		l = tls.NewListener(l, tlsConfig)
	}
	s.srv = srv
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(l) // returns when closed
	}()
	t.Cleanup(func() {
		close(s.done)
		_ = srv.Close()
		// Close may run before Serve has registered the listener; closing it here too
		// makes Serve return either way.
		_ = l.Close()
		<-served
	})
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr }

// Host is the address the server listens on, 127.0.0.1.
func (s *Server) Host() string {
	h, _, _ := net.SplitHostPort(s.addr)
	return h
}

// Port is the port the server listens on.
func (s *Server) Port() int {
	_, p, _ := net.SplitHostPort(s.addr)
	n, _ := strconv.Atoi(p)
	return n
}

// CertPEM is the server's self-signed certificate in PEM, nil without TLS: a child
// process trusts it through SSL_CERT_FILE, as it would an operator's private CA.
func (s *Server) CertPEM() []byte { return s.certPEM }

// ClientTLSConfig trusts the server's self-signed certificate; nil without TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.pool == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
}

// SetBehaviour decides the answer for each RCPT; attempt counts the RCPTs for that
// address so far, starting at 1, so that a test can fail the first tries and accept a
// later one. Without it every message is accepted.
func (s *Server) SetBehaviour(f func(rcpt string, attempt int) Behaviour) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.behaviour = f
}

// Messages returns a copy of what was received so far, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Received, len(s.received))
	copy(out, s.received)
	return out
}

// Count is the number of messages received so far.
func (s *Server) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.received)
}

// Connections is the number of connections accepted so far.
func (s *Server) Connections() int {
	n, _, _ := s.counter.snapshot()
	return n
}

// OpenConnections is the number of connections open now, as the server sees them.
func (s *Server) OpenConnections() int {
	_, n, _ := s.counter.snapshot()
	return n
}

// PeakConnections is the most connections that were open at the same time.
func (s *Server) PeakConnections() int {
	_, _, n := s.counter.snapshot()
	return n
}

// DropConnections closes every open connection from the server's side without a word.
func (s *Server) DropConnections() { s.counter.dropAll() }

func (s *Server) decide(rcpt string) Behaviour {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[rcpt]++
	if s.behaviour == nil {
		return Accept()
	}
	return s.behaviour(rcpt, s.attempts[rcpt])
}

func (s *Server) record(from, to string, data []byte) {
	r := Received{From: from, To: to, Data: data}
	if m, err := mail.ReadMessage(bytes.NewReader(data)); err == nil {
		r.MessageID = m.Header.Get("Message-ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, r)
}

// sleep waits d, or less if the server is closing.
func (s *Server) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.done:
	}
}
