package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/outbox"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// harness is a real store (both dialects via storetest), a real SMTP server in-process and
// the real SMTP sender between them.
type harness struct {
	t     *testing.T
	store *sqlstore.Store
	seed  *storetest.Seeder
	svc   *turkmail.Service
	smtp  *smtptest.Server
	send  *mail.SMTPSender
	clock *clock
}

func newHarness(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder, connections int) *harness {
	t.Helper()
	svc, err := turkmail.NewService(s, turkmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := smtptest.NewServer(t)
	sender := mail.NewSMTPSender(mail.SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone,
		Connections: connections, DialTimeout: 5 * time.Second, CommandTimeout: 5 * time.Second})
	t.Cleanup(func() { sender.Close() })
	return &harness{t: t, store: s, seed: seed, svc: svc, smtp: srv, send: sender}
}

// config is a dispatcher configuration for tests: fast retries and polls on the real clock.
func (h *harness) config() outbox.Config {
	return outbox.Config{
		Store: h.store, Sender: h.send, Service: h.svc,
		From: "turkmail@localhost", PublicURL: "https://turkmail.example/", Owner: "test-node",
		Connections: 4, Lease: 30 * time.Second, Poll: 10 * time.Millisecond,
		Retry:  turkmail.Retry{Min: 20 * time.Millisecond, Max: 80 * time.Millisecond, Lifetime: time.Hour},
		Jitter: func() float64 { return 0.5 },
	}
}

func (h *harness) dispatcher(c outbox.Config) *outbox.Dispatcher {
	h.t.Helper()
	d, err := outbox.New(c)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// start runs d until the test ends or the returned stop is called; stop waits for Run.
func (h *harness) start(d *outbox.Dispatcher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				h.t.Errorf("Run: %v", err)
			}
		})
	}
	h.t.Cleanup(stop)
	return stop
}

// waitFinal waits until no delivery is queued, sending or deferred.
func (h *harness) waitFinal(timeout time.Duration) map[turkmail.DeliveryState]int {
	h.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		counts, err := h.store.CountDeliveries(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if counts[turkmail.DeliveryQueued]+counts[turkmail.DeliverySending]+counts[turkmail.DeliveryDeferred] == 0 {
			return counts
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("deliveries not final after %v: %v", timeout, counts)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// deliveries returns every delivery by worker id.
func (h *harness) deliveries() map[string]turkmail.Delivery {
	h.t.Helper()
	out := map[string]turkmail.Delivery{}
	for id := int64(1); ; id++ {
		d, err := h.store.Delivery(context.Background(), id)
		if err != nil {
			return out
		}
		out[d.WorkerID] = d
	}
}

// received groups what the SMTP server got by recipient.
func (h *harness) received() map[string][]smtptest.Received {
	out := map[string][]smtptest.Received{}
	for _, m := range h.smtp.Messages() {
		out[m.To] = append(out[m.To], m)
	}
	return out
}

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func addr(workerID string) string { return fmt.Sprintf("%s@example.org", workerID) }
