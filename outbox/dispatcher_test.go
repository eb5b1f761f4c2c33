package outbox_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/outbox"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// TestDispatchEmail: what the worker receives, header by header, and the link that opens
// the unsubscribe token for the right pair.
func TestDispatchEmail(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 2)
		now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
		seed.Requester("AREQ1", "Laboratoire Ünïcode", "lab@example.org")
		seed.Requester("AREQ2", "Plain Lab", "")
		seed.Worker("AW1", "Worker.One@Example.org")
		seed.Notification("N1", "AREQ1", "Nouvelle tâche", "Bonjour,\nmerci !", now)
		seed.Notification("N2", "AREQ2", "Hi", "Hello", now)
		seed.Deliveries("N1", "AREQ1", []string{"AW1"}, now)
		seed.Deliveries("N2", "AREQ2", []string{"AW1"}, now)
		c := h.config()
		c.Now = newClock(now).Now
		if err := h.dispatcher(c).RunUntilIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		msgs := h.smtp.Messages()
		if len(msgs) != 2 {
			t.Fatalf("received %d messages, want 2", len(msgs))
		}
		for _, m := range msgs {
			if m.From != "turkmail@localhost" || m.To != "Worker.One@Example.org" {
				t.Errorf("envelope %s → %s", m.From, m.To)
			}
			msg, err := netmail.ReadMessage(bytes.NewReader(m.Data))
			if err != nil {
				t.Fatal(err)
			}
			dec := new(netmailDecoder)
			from, _ := netmail.ParseAddress(msg.Header.Get("From"))
			subject := dec.header(msg.Header.Get("Subject"))
			body := dec.body(t, msg.Body)
			var wantRequester string
			switch m.MessageID {
			case storetest.MessageID("N1", "AW1"):
				wantRequester = "AREQ1"
				if from.Name != "Laboratoire Ünïcode" || msg.Header.Get("Reply-To") != "lab@example.org" ||
					subject != "Nouvelle tâche" || !strings.Contains(body, "merci !") {
					t.Errorf("N1: From %q, Reply-To %q, Subject %q, body %q", from.Name, msg.Header.Get("Reply-To"), subject, body)
				}
			case storetest.MessageID("N2", "AW1"):
				wantRequester = "AREQ2"
				if from.Name != "Plain Lab" || len(msg.Header["Reply-To"]) != 0 || subject != "Hi" {
					t.Errorf("N2: From %q, Reply-To %q, Subject %q", from.Name, msg.Header.Get("Reply-To"), subject)
				}
			default:
				t.Fatalf("unexpected Message-ID %q", m.MessageID)
			}
			if from.Address != "turkmail@localhost" || msg.Header.Get("To") != "Worker.One@Example.org" ||
				msg.Header.Get("Date") != now.Format(time.RFC1123Z) {
				t.Errorf("From %q, To %q, Date %q", from.Address, msg.Header.Get("To"), msg.Header.Get("Date"))
			}
			link := strings.Trim(msg.Header.Get("List-Unsubscribe"), "<>")
			token, ok := strings.CutPrefix(link, "https://turkmail.example/unsubscribe/")
			if !ok {
				t.Fatalf("List-Unsubscribe %q", link)
			}
			w, r, err := h.svc.OpenUnsubscribeToken(context.Background(), token)
			if err != nil || w != "AW1" || r != wantRequester {
				t.Errorf("unsubscribe token opens to %q, %q, %v; want AW1, %s", w, r, err, wantRequester)
			}
		}
		for _, d := range h.deliveries() {
			if d.State != turkmail.DeliveryDelivered || d.Attempts != 1 {
				t.Errorf("delivery %+v", d)
			}
		}
	})
}

// TestDispatchNotSent: an opted-out worker's delivery is cancelled and a suppressed address
// bounced, both without a word to the relay.
func TestDispatchNotSent(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 1)
		now := time.Now()
		seed.Requester("AREQ1", "Lab", "")
		seed.Worker("AOPTED", addr("AOPTED"))
		seed.Worker("ASUPP", "Supp@Example.org")
		seed.Worker("AOK", addr("AOK"))
		seed.OptOut("AOPTED", "AREQ1")
		seed.Suppress("supp@example.org", "550 5.1.1 earlier")
		seed.Notification("N1", "AREQ1", "s", "t", now)
		seed.Deliveries("N1", "AREQ1", []string{"AOPTED", "ASUPP", "AOK"}, now)
		d := h.dispatcher(h.config())
		if err := d.RunUntilIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := h.deliveries()
		if st := got["AOPTED"]; st.State != turkmail.DeliveryCancelled || !strings.Contains(st.LastText, "opted out") {
			t.Errorf("opted out: %+v", st)
		}
		if st := got["ASUPP"]; st.State != turkmail.DeliveryBounced || !strings.Contains(st.LastText, "suppressed") || st.LastCode != 0 {
			t.Errorf("suppressed: %+v", st)
		}
		if st := got["AOK"]; st.State != turkmail.DeliveryDelivered {
			t.Errorf("ok: %+v", st)
		}
		if msgs := h.smtp.Messages(); len(msgs) != 1 || msgs[0].To != addr("AOK") {
			t.Errorf("relay got %d messages, want only AOK's", len(msgs))
		}
		if c := d.Counts(); c[turkmail.DeliveryDelivered] != 1 || c[turkmail.DeliveryCancelled] != 1 || c[turkmail.DeliveryBounced] != 1 {
			t.Errorf("Counts = %v", c)
		}
	})
}

// TestDispatchExpiry walks a delivery that always gets 451 through its backoff schedule on
// a test clock, until the queue lifetime runs out.
func TestDispatchExpiry(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 1)
		h.smtp.SetBehaviour(func(string, int) smtptest.Behaviour {
			return smtptest.ReplyAtRcpt(451, "4.3.0", "<aw1@example.org> try again later")
		})
		created := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
		seed.Requester("AREQ1", "Lab", "")
		seed.Worker("AW1", addr("AW1"))
		seed.Notification("N1", "AREQ1", "s", "t", created)
		seed.Deliveries("N1", "AREQ1", []string{"AW1"}, created)
		clk := newClock(created)
		c := h.config()
		c.Now, c.Jitter = clk.Now, func() float64 { return 0 }
		c.Retry = turkmail.Retry{Min: time.Minute, Max: 4 * time.Minute, Lifetime: 10 * time.Minute}
		d := h.dispatcher(c)
		// Attempts at 0, 1, 3, 7 and 10 (the last pulled in to the lifetime's end).
		wantDue := []time.Duration{time.Minute, 3 * time.Minute, 7 * time.Minute, 10 * time.Minute}
		for i, due := range wantDue {
			if err := d.RunUntilIdle(context.Background()); err != nil {
				t.Fatal(err)
			}
			got := h.deliveries()["AW1"]
			if got.State != turkmail.DeliveryDeferred || !got.DueAt.Equal(created.Add(due)) || got.Attempts != i+1 ||
				got.LastCode != 451 || got.LastEnhanced != "4.3.0" || strings.Contains(got.LastText, "@") {
				t.Fatalf("after attempt %d: %+v; want deferred to +%v", i+1, got, due)
			}
			clk.Set(got.DueAt)
		}
		if err := d.RunUntilIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := h.deliveries()["AW1"]; got.State != turkmail.DeliveryExpired || got.Attempts != 5 {
			t.Fatalf("at the end of the lifetime: %+v; want expired after 5 attempts", got)
		}
	})
}

// TestDispatchWake: with a poll interval far beyond the test, a NotifyWorkers call on this
// node (Options.OnQueued) gets its email sent at once.
func TestDispatchWake(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 1)
		seed.Requester("AREQ1", "Lab", "")
		seed.Worker("AW1", addr("AW1"))
		seed.Reviewed("AREQ1", "AW1")
		c := h.config()
		c.Poll = time.Hour
		c.Wake = outbox.NewWake()
		svc, err := turkmail.NewService(s, turkmail.Options{OnQueued: c.Wake.Poke})
		if err != nil {
			t.Fatal(err)
		}
		c.Service = svc
		h.start(h.dispatcher(c))
		time.Sleep(50 * time.Millisecond) // the first claim found nothing; now it sleeps
		start := time.Now()
		res, err := svc.NotifyWorkers(context.Background(), turkmail.NotifyInput{RequesterID: "AREQ1",
			Subject: "s", MessageText: "t", WorkerIDs: []string{"AW1"}})
		if err != nil || len(res.Failures) != 0 {
			t.Fatalf("NotifyWorkers = %+v, %v", res, err)
		}
		// No poke from the test: only NotifyWorkers' own (OnQueued) can wake the dispatcher.
		h.waitFinal(5 * time.Second)
		latency := time.Since(start)
		if n := h.smtp.Count(); n != 1 {
			t.Fatalf("received %d, want 1", n)
		}
		t.Logf("sent %v after NotifyWorkers returned; poll interval %v", latency.Round(time.Millisecond), c.Poll)
	})
}

// TestDispatchShutdown: cancelling Run lets sends in flight finish and hands the rest back
// untried; nothing stays leased and nothing is lost.
func TestDispatchShutdown(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 2)
		h.smtp.SetBehaviour(func(string, int) smtptest.Behaviour { return smtptest.Delay(200 * time.Millisecond) })
		seed.Requester("AREQ1", "Lab", "")
		ids := seed.Workers("W", 20, "example.org")
		seed.Notification("N1", "AREQ1", "s", "t", time.Now())
		seed.Deliveries("N1", "AREQ1", ids, time.Now())
		c := h.config()
		c.Connections = 2
		stop := h.start(h.dispatcher(c))
		time.Sleep(100 * time.Millisecond) // two sends are in flight
		stop()
		counts, err := s.CountDeliveries(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if counts[turkmail.DeliverySending] != 0 || counts[turkmail.DeliveryDelivered] != h.smtp.Count() ||
			counts[turkmail.DeliveryDelivered] == 0 || counts[turkmail.DeliveryDelivered]+counts[turkmail.DeliveryQueued] != 20 {
			t.Fatalf("after shutdown: %v, relay got %d", counts, h.smtp.Count())
		}
		for _, d := range h.deliveries() {
			if d.State == turkmail.DeliveryQueued && d.Attempts != 0 {
				t.Fatalf("handed-back delivery counts an attempt: %+v", d)
			}
		}
	})
}

// TestDispatchCapture: the capture sender keeps every email in the store's mailbox.
func TestDispatchCapture(t *testing.T) {
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 1)
		seed.Requester("AREQ1", "Lab", "")
		ids := seed.Workers("W", 5, "example.org")
		seed.Notification("N1", "AREQ1", "s", "t", time.Now())
		seed.Deliveries("N1", "AREQ1", ids, time.Now())
		c := h.config()
		c.Sender = mail.CaptureSender{Store: s}
		if err := h.dispatcher(c).RunUntilIdle(context.Background()); err != nil {
			t.Fatal(err)
		}
		box, err := s.ListCapturedMail(context.Background(), 10, 0)
		if err != nil || len(box) != 5 {
			t.Fatalf("mailbox has %d messages, %v", len(box), err)
		}
		for _, m := range box {
			if !strings.HasPrefix(m.MessageID, "<N1.") || m.EnvelopeFrom != "turkmail@localhost" || !bytes.Contains(m.Raw, []byte("Message-ID: "+m.MessageID)) {
				t.Errorf("captured %+v", m)
			}
		}
	})
}

func TestNewChecksConfig(t *testing.T) {
	if _, err := outbox.New(outbox.Config{}); err == nil {
		t.Fatal("New accepted an empty config")
	}
}

// netmailDecoder decodes what a mail client would show.
type netmailDecoder struct{}

func (netmailDecoder) header(v string) string {
	out, err := new(mime.WordDecoder).DecodeHeader(v)
	if err != nil {
		return v
	}
	return out
}

func (netmailDecoder) body(t *testing.T, r io.Reader) string {
	b, err := io.ReadAll(quotedprintable.NewReader(r))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
