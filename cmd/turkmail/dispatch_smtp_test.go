package main

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/storetest"
)

// TestDispatchSMTPRelay runs the real binary against a relay that wants TLS and AUTH: the
// --mail URL's TLS mode and credentials, --from, --public-url and --smtp-timeout all reach
// the sender. The relay's self-signed certificate is trusted the way an operator trusts a
// private CA, through SSL_CERT_FILE, so TLS is verified for real.
func TestDispatchSMTPRelay(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildTurkmail(t)
	const user, password = "relay-user", "s3cret-Pa55"
	tests := []struct {
		name      string
		opts      []smtptest.Option
		url       string // %s is host:port
		behaviour smtptest.Behaviour
		state     turkmail.DeliveryState
		code      int    // last reply code recorded
		text      string // part of the last reply text recorded
	}{
		{"starttls and auth", []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth(user, password)},
			"smtp://" + user + ":" + password + "@%s?tls=starttls", smtptest.AcceptWith("2.0.0", "Ok: queued as QID1"),
			turkmail.DeliveryDelivered, 250, "queued as QID1"},
		{"implicit tls and auth", []smtptest.Option{smtptest.WithImplicitTLS(), smtptest.WithAuth(user, password)},
			"smtp://" + user + ":" + password + "@%s?tls=implicit", smtptest.Accept(),
			turkmail.DeliveryDelivered, 250, "OK: queued"},
		{"wrong password", []smtptest.Option{smtptest.WithSTARTTLS(), smtptest.WithAuth(user, password)},
			"smtp://" + user + ":wrong-" + password + "@%s?tls=starttls", smtptest.Accept(),
			turkmail.DeliveryDeferred, 535, "AUTH"},
		{"relay slower than --smtp-timeout", []smtptest.Option{smtptest.WithSTARTTLS()},
			"smtp://%s?tls=starttls", smtptest.Delay(3 * time.Second),
			turkmail.DeliveryDeferred, 0, "i/o timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 3
			dsn := storetest.DSN(t, "sqlite")
			s := seedQueue(t, dsn, n)
			srv := smtptest.NewServer(t, tt.opts...)
			srv.SetBehaviour(func(string, int) smtptest.Behaviour { return tt.behaviour })
			ca := filepath.Join(t.TempDir(), "relay-ca.pem")
			if err := os.WriteFile(ca, srv.CertPEM(), 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "dispatch", "--until-idle", "--db", dsn, "--log-level", "debug",
				"--mail", fmt.Sprintf(tt.url, srv.Addr()), "--from", "notify@lab.example",
				"--public-url", "https://mail.lab.example", "--smtp-timeout", "500ms", "--smtp-connections", "2")
			cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+ca)
			var out, errOut bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errOut
			if err := cmd.Run(); err != nil {
				t.Fatalf("dispatch: %v\n%s", err, errOut.String())
			}
			if strings.Contains(out.String()+errOut.String(), password) {
				t.Errorf("the relay password reached the output:\n%s%s", out.String(), errOut.String())
			}
			for id := int64(1); id <= n; id++ {
				d, err := s.Delivery(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				if d.State != tt.state || d.LastCode != tt.code || !strings.Contains(d.LastText, tt.text) {
					t.Errorf("delivery %d: %s %d %q; want %s %d containing %q\n%s", id, d.State, d.LastCode, d.LastText,
						tt.state, tt.code, tt.text, errOut.String())
				}
			}
			if tt.state != turkmail.DeliveryDelivered {
				return
			}
			if srv.Count() != n || srv.Connections() > 2 {
				t.Errorf("relay received %d over %d connections, want %d over at most 2", srv.Count(), srv.Connections(), n)
			}
			for _, m := range srv.Messages() {
				msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
				if err != nil {
					t.Fatal(err)
				}
				from, _ := mail.ParseAddress(msg.Header.Get("From"))
				if m.From != "notify@lab.example" || from.Address != "notify@lab.example" || from.Name != "Lab" ||
					!strings.HasPrefix(msg.Header.Get("List-Unsubscribe"), "<https://mail.lab.example/unsubscribe/") {
					t.Errorf("envelope from %q, From %q, List-Unsubscribe %q", m.From, msg.Header.Get("From"), msg.Header.Get("List-Unsubscribe"))
				}
			}
		})
	}
}
