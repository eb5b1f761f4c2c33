// Package apitest starts a real turkmail endpoint on a loopback listener for end-to-end
// tests, and drives it with the real MTurk clients: aws-sdk-go v1, boto3 and the AWS CLI
// (the last two as python3 subprocesses).
package apitest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/mturk"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/web"
)

// Region is the region the test server expects signatures for.
const Region = "us-east-1"

// Clock is a settable clock shared by the server and the test. It starts at the real time,
// so that real clients' signatures verify; Advance moves the server's view of now.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Server is a running endpoint over a real store.
type Server struct {
	URL     string
	Store   *sqlstore.Store
	Service *turkmail.Service
	Clock   *Clock
	Log     *LogBuffer
}

// Start serves the full routes (as `turkmail serve` does) over store until t ends. Logs go
// to Log at debug level, so that tests can inspect every line written.
func Start(t testing.TB, store *sqlstore.Store) *Server {
	t.Helper()
	return StartWith(t, store, Config{})
}

// Config adjusts StartWith: the Service's options (their Now is replaced by the server's
// Clock), and a wrapper around the routes for tests that interfere with connections.
type Config struct {
	Options turkmail.Options
	Wrap    func(http.Handler) http.Handler
}

// StartWith is Start with c applied.
func StartWith(t testing.TB, store *sqlstore.Store, c Config) *Server {
	t.Helper()
	clock := &Clock{}
	c.Options.Now = clock.Now
	svc, err := turkmail.NewService(store, c.Options)
	if err != nil {
		t.Fatal(err)
	}
	logs := &LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := web.New(web.Config{Service: svc, Store: store, Region: Region, Logger: log,
		Registry: prometheus.NewRegistry(), Now: clock.Now})
	if c.Wrap != nil {
		h = c.Wrap(h)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &Server{URL: ts.URL, Store: store, Service: svc, Clock: clock, Log: logs}
}

// NewRequester creates a requester and returns its credentials.
func (s *Server) NewRequester(t testing.TB, name string) turkmail.Credentials {
	t.Helper()
	c, err := s.Service.CreateRequester(context.Background(), turkmail.NewRequester{Name: name, BalanceCents: 1000000})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SDK returns an aws-sdk-go v1 MTurk client for creds, pointed at the server, with the
// SDK's default retries off so that a test sees each answer as it is.
func (s *Server) SDK(t testing.TB, c turkmail.Credentials) *mturk.MTurk {
	t.Helper()
	sess, err := session.NewSession(&aws.Config{
		Region:      aws.String(Region),
		Endpoint:    aws.String(s.URL),
		Credentials: credentials.NewStaticCredentials(c.AccessKeyID, c.SecretAccessKey, ""),
		MaxRetries:  aws.Int(0),
	})
	if err != nil {
		t.Fatal(err)
	}
	return mturk.New(sess)
}

// LogBuffer collects log output safely across goroutines.
type LogBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *LogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// String returns everything logged so far.
func (b *LogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.buf)
}

var _ io.Writer = (*LogBuffer)(nil)
