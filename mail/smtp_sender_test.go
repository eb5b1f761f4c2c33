package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail/smtptest"
)

var _ turkmail.Sender = (*SMTPSender)(nil)

func newTestSender(t testing.TB, srv *smtptest.Server, mutate func(*SMTPConfig)) *SMTPSender {
	t.Helper()
	cfg := SMTPConfig{
		Host: srv.Host(), Port: srv.Port(), TLS: TLSNone,
		DialTimeout: 2 * time.Second, CommandTimeout: 5 * time.Second, Connections: 1,
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s := NewSMTPSender(cfg)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func testEnvelope(t testing.TB, i int, textSize int) turkmail.Envelope {
	t.Helper()
	m := baseMessage()
	m.MessageID = fmt.Sprintf("<delivery-%d@turkmail.example>", i)
	m.To = fmt.Sprintf("worker%d@example.org", i)
	m.Text = strings.Repeat("x", textSize)
	data, err := Compose(m)
	if err != nil {
		t.Fatal(err)
	}
	return turkmail.Envelope{From: "bounces@turkmail.example", To: m.To, MessageID: m.MessageID, Data: data}
}

// sendErr is s.Send for tests that look at the error only.
func sendErr(s *SMTPSender, ctx context.Context, e turkmail.Envelope) error {
	_, err := s.Send(ctx, e)
	return err
}

// wantSendError checks err against want; want nil means success.
func wantSendError(t *testing.T, err error, want *turkmail.SendError) {
	t.Helper()
	if want == nil {
		if err != nil {
			t.Fatalf("Send: %v", err)
		}
		return
	}
	var se *turkmail.SendError
	if !errors.As(err, &se) {
		t.Fatalf("Send: got %T %v, want *turkmail.SendError", err, err)
	}
	if se.Permanent != want.Permanent || se.Code != want.Code || se.Enhanced != want.Enhanced {
		t.Errorf("Send: got permanent=%v code=%d enhanced=%q, want %v %d %q (%v)",
			se.Permanent, se.Code, se.Enhanced, want.Permanent, want.Code, want.Enhanced, se)
	}
	if !strings.Contains(se.Text, want.Text) {
		t.Errorf("Send: text %q does not contain %q", se.Text, want.Text)
	}
	if strings.Contains(se.Error(), "@") {
		t.Errorf("Send: error %q contains an address", se.Error())
	}
}

func TestSMTPSenderOutcomes(t *testing.T) {
	tests := []struct {
		name      string
		behaviour smtptest.Behaviour
		want      *turkmail.SendError
		received  int // what the sink counts for the failing attempt
	}{
		{"accept", smtptest.Accept(), nil, 1},
		{"421 at RCPT", smtptest.ReplyAtRcpt(421, "4.7.0", "Try again later, closing connection"),
			&turkmail.SendError{Code: 421, Enhanced: "4.7.0", Text: "Try again later"}, 0},
		{"451 at DATA", smtptest.ReplyAtData(451, "4.3.0", "Local error in processing"),
			&turkmail.SendError{Code: 451, Enhanced: "4.3.0", Text: "Local error"}, 0},
		{"452 at RCPT", smtptest.ReplyAtRcpt(452, "4.2.2", "<worker0@example.org>: mailbox full"),
			&turkmail.SendError{Code: 452, Enhanced: "4.2.2", Text: "<redacted>: mailbox full"}, 0},
		{"550 5.1.1 at RCPT", smtptest.ReplyAtRcpt(550, "5.1.1", "<worker0@example.org>: Recipient address rejected: User unknown"),
			&turkmail.SendError{Permanent: true, Code: 550, Enhanced: "5.1.1",
				Text: "<redacted>: Recipient address rejected: User unknown"}, 0},
		{"554 at DATA", smtptest.ReplyAtData(554, "5.7.1", "Message rejected as spam"),
			&turkmail.SendError{Permanent: true, Code: 554, Enhanced: "5.7.1", Text: "rejected as spam"}, 0},
		{"554 without enhanced code", smtptest.ReplyAtData(554, "", "Transaction failed"),
			&turkmail.SendError{Permanent: true, Code: 554, Text: "Transaction failed"}, 0},
		{"drop mid DATA", smtptest.DropMidData(), &turkmail.SendError{Text: "DATA"}, 0},
		{"drop after dot", smtptest.DropAfterDot(), &turkmail.SendError{Text: "may have been queued"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.NewServer(t)
			s := newTestSender(t, srv, nil)
			srv.SetBehaviour(func(string, int) smtptest.Behaviour { return tt.behaviour })
			e := testEnvelope(t, 0, 1000)
			wantSendError(t, sendErr(s, context.Background(), e), tt.want)
			if got := srv.Count(); got != tt.received {
				t.Errorf("server received %d messages, want %d", got, tt.received)
			}
			if tt.received > 0 {
				r := srv.Messages()[0]
				if !bytes.Equal(r.Data, e.Data) || r.MessageID != e.MessageID || r.To != e.To || r.From != e.From {
					t.Errorf("received %+v, differs from the envelope", r)
				}
			}

			// The sender recovers: the next send works, on the same connection when the
			// session was still in step, on a new one otherwise.
			srv.SetBehaviour(nil)
			if _, err := s.Send(context.Background(), testEnvelope(t, 1, 10)); err != nil {
				t.Fatalf("send after %s: %v", tt.name, err)
			}
			wantConns := 1
			if tt.want != nil && (tt.want.Code == 0 || tt.want.Code == 421) {
				wantConns = 2
			}
			if got := srv.Connections(); got != wantConns {
				t.Errorf("connections = %d, want %d", got, wantConns)
			}
		})
	}
}

// TestSMTPSenderReply: a send returns the relay's 250, its enhanced code and its text with
// any address removed, for the delivery log.
func TestSMTPSenderReply(t *testing.T) {
	tests := []struct {
		name      string
		behaviour smtptest.Behaviour
		want      turkmail.Reply
	}{
		{"go-smtp's default", smtptest.Accept(), turkmail.Reply{Code: 250, Enhanced: "2.0.0", Text: "OK: queued"}},
		{"queue id", smtptest.AcceptWith("2.0.0", "Ok: queued as 4Xk2Qz"), turkmail.Reply{Code: 250, Enhanced: "2.0.0", Text: "Ok: queued as 4Xk2Qz"}},
		{"no enhanced code", smtptest.AcceptWith("", "Message accepted"), turkmail.Reply{Code: 250, Text: "Message accepted"}},
		{"address quoted", smtptest.AcceptWith("2.6.0", "<worker0@example.org> Queued mail for delivery"),
			turkmail.Reply{Code: 250, Enhanced: "2.6.0", Text: "<redacted> Queued mail for delivery"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.NewServer(t)
			srv.SetBehaviour(func(string, int) smtptest.Behaviour { return tt.behaviour })
			got, err := newTestSender(t, srv, nil).Send(context.Background(), testEnvelope(t, 0, 10))
			if err != nil || got != tt.want {
				t.Fatalf("Send = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestSMTPSenderConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	_ = ln.Close()
	s := NewSMTPSender(SMTPConfig{Host: "127.0.0.1", Port: addr.Port, TLS: TLSNone, DialTimeout: time.Second})
	defer s.Close()
	wantSendError(t, sendErr(s, context.Background(), testEnvelope(t, 0, 10)), &turkmail.SendError{Text: "connect"})
}

func TestSMTPSenderTLSAndAuth(t *testing.T) {
	tests := []struct {
		name     string
		opts     []smtptest.Option
		tlsMode  string
		user     string
		password string
		want     *turkmail.SendError
	}{
		{"starttls with auth", []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth("relay-user", "s3cret!")},
			TLSStartTLS, "relay-user", "s3cret!", nil},
		{"implicit tls with auth", []smtptest.Option{smtptest.WithImplicitTLS(), smtptest.WithAuth("relay-user", "s3cret!")},
			TLSImplicit, "relay-user", "s3cret!", nil},
		{"starttls without auth", []smtptest.Option{smtptest.WithSTARTTLS()}, TLSStartTLS, "", "", nil},
		{"cleartext auth to loopback", []smtptest.Option{smtptest.WithInsecureAuth(), smtptest.WithAuth("u", "p")},
			TLSNone, "u", "p", nil},
		{"wrong password", []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth("relay-user", "s3cret!")},
			TLSStartTLS, "relay-user", "wrong-hunter2", &turkmail.SendError{Code: 535, Enhanced: "5.7.8", Text: "AUTH"}},
		{"starttls required but not offered", nil, TLSStartTLS, "", "",
			&turkmail.SendError{Text: "does not offer STARTTLS"}},
		{"credentials but no auth offered", []smtptest.Option{smtptest.WithSTARTTLS()}, TLSStartTLS, "u", "hunter2",
			&turkmail.SendError{Text: "does not offer AUTH"}},
		{"auth required, none configured", []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth("u", "p")},
			TLSStartTLS, "", "", &turkmail.SendError{Permanent: true, Code: 502, Enhanced: "5.7.0", Text: "authenticate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := smtptest.NewServer(t, tt.opts...)
			s := newTestSender(t, srv, func(c *SMTPConfig) {
				c.TLS, c.Username, c.Password = tt.tlsMode, tt.user, tt.password
				c.TLSConfig = srv.ClientTLSConfig()
			})
			for i := range 3 {
				_, err := s.Send(context.Background(), testEnvelope(t, i, 100))
				wantSendError(t, err, tt.want)
				if err != nil && tt.password != "" && strings.Contains(err.Error(), tt.password) {
					t.Fatalf("error %q contains the password", err)
				}
			}
			if tt.want == nil {
				if srv.Count() != 3 || srv.Connections() != 1 {
					t.Errorf("received %d over %d connections, want 3 over 1", srv.Count(), srv.Connections())
				}
			}
		})
	}
}

func TestSMTPSenderReusesOneConnection(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newTestSender(t, srv, nil)
	const n = 25
	for i := range n {
		if _, err := s.Send(context.Background(), testEnvelope(t, i, 200)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if srv.Count() != n || srv.Connections() != 1 {
		t.Errorf("received %d over %d connections, want %d over 1", srv.Count(), srv.Connections(), n)
	}
}

func TestSMTPSenderRedialsWhenIdleConnectionWasClosed(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newTestSender(t, srv, nil)
	if _, err := s.Send(context.Background(), testEnvelope(t, 0, 10)); err != nil {
		t.Fatal(err)
	}
	srv.DropConnections()
	waitFor(t, func() bool { return srv.OpenConnections() == 0 })
	if _, err := s.Send(context.Background(), testEnvelope(t, 1, 10)); err != nil {
		t.Fatalf("send on a connection the relay closed while idle: %v", err)
	}
	if srv.Count() != 2 || srv.Connections() != 2 {
		t.Errorf("received %d over %d connections, want 2 over 2", srv.Count(), srv.Connections())
	}
}

func TestSMTPSenderPoolLimit(t *testing.T) {
	srv := smtptest.NewServer(t)
	// A short delay per message makes sends overlap, so the pool is really exercised.
	srv.SetBehaviour(func(string, int) smtptest.Behaviour { return smtptest.Delay(2 * time.Millisecond) })
	s := newTestSender(t, srv, func(c *SMTPConfig) { c.Connections = 4 })
	const workers, each = 16, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				errs <- sendErr(s, context.Background(), testEnvelope(t, w*each+i, 100))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if srv.Count() != workers*each {
		t.Errorf("received %d, want %d", srv.Count(), workers*each)
	}
	if p := srv.PeakConnections(); p > 4 || srv.Connections() > 4 {
		t.Errorf("peak %d / total %d connections, want at most 4", p, srv.Connections())
	}
	if srv.PeakConnections() < 2 {
		t.Logf("only %d connection(s) used; sends did not overlap", srv.PeakConnections())
	}
}

func TestSMTPSenderHonoursContext(t *testing.T) {
	srv := smtptest.NewServer(t)
	srv.SetBehaviour(func(_ string, attempt int) smtptest.Behaviour {
		if attempt == 1 {
			return smtptest.Delay(5 * time.Second)
		}
		return smtptest.Accept()
	})
	s := newTestSender(t, srv, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := s.Send(ctx, testEnvelope(t, 0, 100))
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send took %v with a 200ms deadline", d)
	}
	wantSendError(t, err, &turkmail.SendError{Text: "deadline exceeded"})

	// Cancellation without a deadline works too: waiting for the only busy connection.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	wantSendError(t, sendErr(s, ctx2, testEnvelope(t, 0, 10)), &turkmail.SendError{Text: "canceled"})

	if _, err := s.Send(context.Background(), testEnvelope(t, 0, 100)); err != nil {
		t.Fatalf("send after a timed-out one: %v", err)
	}
}

func TestSMTPSenderRejectsBadEnvelope(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newTestSender(t, srv, nil)
	e := testEnvelope(t, 0, 10)
	e.To = "victim@example.org>\r\nRCPT TO:<other@example.org"
	wantSendError(t, sendErr(s, context.Background(), e), &turkmail.SendError{Permanent: true, Text: "recipient"})
	if srv.Connections() != 0 {
		t.Errorf("a bad envelope opened a connection")
	}
}

func TestSMTPSenderClosed(t *testing.T) {
	srv := smtptest.NewServer(t)
	s := newTestSender(t, srv, nil)
	if _, err := s.Send(context.Background(), testEnvelope(t, 0, 10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return srv.OpenConnections() == 0 })
	wantSendError(t, sendErr(s, context.Background(), testEnvelope(t, 1, 10)), &turkmail.SendError{Text: "closed"})
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 5s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func BenchmarkSMTPSender(b *testing.B) {
	srv := smtptest.NewServer(b)
	s := newTestSender(b, srv, func(c *SMTPConfig) { c.Connections = 4 })
	e := testEnvelope(b, 0, 1024-600) // about 1 KB on the wire, headers included
	b.SetBytes(int64(len(e.Data)))
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Send(context.Background(), e); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	if srv.Connections() > 4 {
		b.Errorf("%d connections, want at most 4", srv.Connections())
	}
}
