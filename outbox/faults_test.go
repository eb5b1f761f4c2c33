package outbox_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// TestDispatchFaults drives the real dispatcher against the real SMTP server scripted per
// recipient. Transient faults fail the first two attempts, then accept: each such delivery
// ends delivered on its third attempt. Permanent ones bounce on the first and, when the
// reply is about the recipient, suppress the address. Nothing is lost: every delivery ends
// final, and every copy the relay got carries the delivery's Message-ID.
func TestDispatchFaults(t *testing.T) {
	type outcome struct {
		state      turkmail.DeliveryState
		attempts   int
		code       int
		enhanced   string
		suppressed bool
		copies     int // messages the relay kept
	}
	transient := func(b smtptest.Behaviour, copies int) (func(int) smtptest.Behaviour, outcome) {
		return func(attempt int) smtptest.Behaviour {
			if attempt <= 2 {
				return b
			}
			return smtptest.Accept()
		}, outcome{state: turkmail.DeliveryDelivered, attempts: 3, copies: copies}
	}
	permanent := func(b smtptest.Behaviour, suppressed bool) (func(int) smtptest.Behaviour, outcome) {
		return func(int) smtptest.Behaviour { return b },
			outcome{state: turkmail.DeliveryBounced, attempts: 1, code: b.Code, enhanced: b.Enhanced, suppressed: suppressed}
	}
	type fault struct {
		behave func(attempt int) smtptest.Behaviour
		want   outcome
	}
	mk := func(f func(int) smtptest.Behaviour, o outcome) fault { return fault{f, o} }
	faults := map[string]fault{
		"A421":     mk(transient(smtptest.ReplyAtRcpt(421, "4.7.0", "too busy, closing"), 1)),
		"A451":     mk(transient(smtptest.ReplyAtData(451, "4.3.0", "local error"), 1)),
		"A452":     mk(transient(smtptest.ReplyAtRcpt(452, "4.2.2", "<a452@example.org> mailbox full"), 1)),
		"ADROPMID": mk(transient(smtptest.DropMidData(), 1)),
		// The relay kept the message each time but never said so: three copies, one Message-ID.
		"ADROPDOT": mk(transient(smtptest.DropAfterDot(), 3)),
		"A550":     mk(permanent(smtptest.ReplyAtRcpt(550, "5.1.1", "<a550@example.org>: user unknown"), true)),
		"A554":     mk(permanent(smtptest.ReplyAtData(554, "5.7.1", "message rejected for a550@example.org"), true)),
		// About our sender, not the recipient: bounced, the address not suppressed.
		"A553": mk(permanent(smtptest.ReplyAtRcpt(553, "5.1.8", "sender domain rejected"), false)),
	}
	storetest.EachSeeded(t, func(t *testing.T, s *sqlstore.Store, seed *storetest.Seeder) {
		h := newHarness(t, s, seed, 3)
		ctx := context.Background()
		h.smtp.SetBehaviour(func(rcpt string, attempt int) smtptest.Behaviour {
			id, _, _ := strings.Cut(rcpt, "@")
			if f, ok := faults[strings.ToUpper(id)]; ok {
				return f.behave(attempt)
			}
			// A queue id per message, as Postfix answers, and the address, as a careless
			// relay adds: one result batch then holds many different texts.
			return smtptest.AcceptWith("2.0.0", "Ok: queued as Q"+strings.ToUpper(id)+" for <"+rcpt+">")
		})
		seed.Requester("AREQ1", "Lab", "")
		var ids []string
		for id := range faults {
			seed.Worker(id, strings.ToLower(id)+"@example.org")
			seed.Reviewed("AREQ1", id)
			ids = append(ids, id)
		}
		ids = append(ids, seed.Workers("OK", 30, "example.org")...)
		seed.Notification("N1", "AREQ1", "s", "t", time.Now())
		seed.Deliveries("N1", "AREQ1", ids, time.Now())

		c := h.config()
		c.Connections = 3
		h.start(h.dispatcher(c))
		counts := h.waitFinal(15 * time.Second)
		t.Logf("final: %v; relay: %d messages over %d connections", counts, h.smtp.Count(), h.smtp.Connections())

		got := h.deliveries()
		rcvd := h.received()
		for _, id := range ids {
			d := got[id]
			msgs := rcvd[strings.ToLower(id)+"@example.org"]
			for _, m := range msgs {
				if m.MessageID != d.MessageID {
					t.Errorf("%s: relay got Message-ID %q, delivery has %q", id, m.MessageID, d.MessageID)
				}
			}
			f, isFault := faults[id]
			if !isFault {
				if d.State != turkmail.DeliveryDelivered || d.Attempts != 1 || len(msgs) != 1 {
					t.Errorf("%s: %s after %d attempts, %d copies; want delivered once", id, d.State, d.Attempts, len(msgs))
				}
				// The relay's own 250 is recorded, each row with its own queue id.
				if want := "Ok: queued as Q" + id + " for <redacted>"; d.LastCode != 250 || d.LastEnhanced != "2.0.0" || d.LastText != want {
					t.Errorf("%s: recorded %d %s %q, want 250 2.0.0 %q", id, d.LastCode, d.LastEnhanced, d.LastText, want)
				}
				continue
			}
			w := f.want
			if d.State != w.state || d.Attempts != w.attempts || len(msgs) != w.copies {
				t.Errorf("%s: %s after %d attempts, %d copies; want %s after %d, %d copies (last: %d %s %q)",
					id, d.State, d.Attempts, len(msgs), w.state, w.attempts, w.copies, d.LastCode, d.LastEnhanced, d.LastText)
			}
			if w.state == turkmail.DeliveryBounced && (d.LastCode != w.code || d.LastEnhanced != w.enhanced) {
				t.Errorf("%s: recorded %d %s, want %d %s", id, d.LastCode, d.LastEnhanced, w.code, w.enhanced)
			}
			if strings.Contains(d.LastText, "@") {
				t.Errorf("%s: stored text %q carries an address", id, d.LastText)
			}
			sup, err := s.IsSuppressed(ctx, strings.ToUpper(id)+"@EXAMPLE.ORG")
			if err != nil || sup != w.suppressed {
				t.Errorf("%s: suppressed = %v, %v; want %v", id, sup, err, w.suppressed)
			}
		}

		// The next NotifyWorkers to a bounced address answers HardFailure.
		res, err := h.svc.NotifyWorkers(ctx, turkmail.NotifyInput{RequesterID: "AREQ1", Subject: "again",
			MessageText: "again", WorkerIDs: []string{"A550", "A553"}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Failures) != 1 || res.Failures[0].WorkerID != "A550" || res.Failures[0].Code != turkmail.HardFailure {
			t.Fatalf("NotifyWorkers after the bounce: %+v", res.Failures)
		}
	})
}
