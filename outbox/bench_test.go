package outbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/outbox"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// benchConnections is the SMTP connections (and concurrent sends) of every benchmark here,
// so that the dispatcher and the bare sender are compared on equal terms.
const benchConnections = 4

// BenchmarkDispatch: deliveries per second from the outbox to a local SMTP sink, claims,
// composing, sending and result writes included. Run with a fixed count, e.g.
//
//	go test ./outbox -run '^$' -bench . -benchtime 20000x
func BenchmarkDispatch(b *testing.B) {
	for _, dialect := range storetest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			dsn := storetest.DSN(b, dialect)
			s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			seed := storetest.NewSeeder(b, dsn)
			seed.Requester("AREQ1", "Bench Lab", "lab@example.org")
			ids := seed.Workers("W", b.N, "example.org")
			seed.Notification("N1", "AREQ1", "A new batch of tasks", benchText, time.Now())
			seed.Deliveries("N1", "AREQ1", ids, time.Now())
			svc, err := turkmail.NewService(s, turkmail.Options{})
			if err != nil {
				b.Fatal(err)
			}
			srv := smtptest.NewServer(b)
			sender := mail.NewSMTPSender(mail.SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, Connections: benchConnections})
			defer sender.Close()
			d, err := outbox.New(outbox.Config{Store: s, Sender: sender, Service: svc, From: "turkmail@localhost",
				PublicURL: "https://turkmail.example", Owner: "bench", Connections: benchConnections})
			if err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			start := time.Now()
			if err := d.RunUntilIdle(context.Background()); err != nil {
				b.Fatal(err)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			if got := d.Counts()[turkmail.DeliveryDelivered]; got != b.N || srv.Count() != b.N {
				b.Fatalf("delivered %d, sink got %d, want %d", got, srv.Count(), b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "deliveries/s")
		})
	}
}

// BenchmarkSMTPSenderAlone is the ceiling: the same sink, the same connections, messages
// composed once beforehand, no database.
func BenchmarkSMTPSenderAlone(b *testing.B) {
	srv := smtptest.NewServer(b)
	sender := mail.NewSMTPSender(mail.SMTPConfig{Host: srv.Host(), Port: srv.Port(), TLS: mail.TLSNone, Connections: benchConnections})
	defer sender.Close()
	data, err := mail.Compose(mail.Message{MessageID: "<bench@turkmail.test>", Date: time.Now(), FromAddress: "turkmail@localhost",
		FromName: "Bench Lab", To: "aw0@example.org", ReplyTo: "lab@example.org", Subject: "A new batch of tasks",
		RequesterName: "Bench Lab", Text: benchText, WorkerID: "AW0", UnsubscribeURL: "https://turkmail.example/unsubscribe/0123456789abcdef0123456789abcdef"})
	if err != nil {
		b.Fatal(err)
	}
	env := turkmail.Envelope{From: "turkmail@localhost", To: "aw0@example.org", MessageID: "<bench@turkmail.test>", Data: data}
	jobs := make(chan struct{})
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range benchConnections {
		wg.Go(func() {
			for range jobs {
				if _, err := sender.Send(context.Background(), env); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for range b.N {
		jobs <- struct{}{}
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "messages/s")
}

// BenchmarkGoMailAlone is raw go-mail (its high-level Client and Msg, as an application
// would use it without turkmail) to the same sink over the same number of connections:
// each connection a Client dialled once, each message built and rendered by go-mail.
func BenchmarkGoMailAlone(b *testing.B) {
	srv := smtptest.NewServer(b)
	jobs := make(chan int)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range benchConnections {
		client, err := gomail.NewClient(srv.Host(), gomail.WithPort(srv.Port()), gomail.WithTLSPolicy(gomail.NoTLS))
		if err != nil {
			b.Fatal(err)
		}
		if err := client.DialWithContext(context.Background()); err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer client.Close()
			for i := range jobs {
				m := gomail.NewMsg()
				if err := m.FromFormat("Bench Lab", "turkmail@localhost"); err != nil {
					b.Error(err)
				}
				if err := m.To(fmt.Sprintf("aw%d@example.org", i)); err != nil {
					b.Error(err)
				}
				m.ReplyTo("lab@example.org")
				m.Subject("A new batch of tasks")
				m.SetBodyString(gomail.TypeTextPlain, benchText)
				if err := client.Send(m); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range b.N {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if srv.Count() != b.N {
		b.Fatalf("sink got %d, want %d", srv.Count(), b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "messages/s")
}

const benchText = `Hello,

thank you for your work on our image-labelling HITs last week. A new batch of 2,000 HITs
is online now, at the same reward, and we would be glad to see you again.

Best regards,
the Bench Lab`
