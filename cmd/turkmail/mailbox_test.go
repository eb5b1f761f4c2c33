package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// runTurkmail runs the command line in-process with env as the environment.
func runTurkmail(t *testing.T, env map[string]string, args ...string) (string, error) {
	t.Helper()
	cmd := newRootCommand(func(k string) string { return env[k] })
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

// TestCaptureMailbox: dispatch with the default capture sender, then read the mailbox the
// way an operator would, decoded and raw.
func TestCaptureMailbox(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	seed := storetest.NewSeeder(t, dsn)
	seed.Requester("AREQ1", "Laboratoire Ünïcode", "lab@example.org")
	seed.Worker("AW1", "w1@example.org")
	seed.Notification("N1", "AREQ1", "Nouvelle tâche disponible", "Bonjour — merci beaucoup !\nÀ bientôt.", time.Now())
	seed.Deliveries("N1", "AREQ1", []string{"AW1"}, time.Now())

	env := map[string]string{"TURKMAIL_DB": dsn, "TURKMAIL_PUBLIC_URL": "https://turkmail.example"}
	out, err := runTurkmail(t, env, "dispatch", "--until-idle", "--from", "notify@example.org")
	if err != nil || !strings.Contains(out, "delivered 1,") {
		t.Fatalf("dispatch: %q, %v", out, err)
	}
	out, err = runTurkmail(t, env, "mailbox", "list")
	if err != nil || !strings.Contains(out, "w1@example.org") || !strings.Contains(out, "Nouvelle tâche disponible") ||
		!strings.Contains(out, storetest.MessageID("N1", "AW1")) {
		t.Fatalf("mailbox list:\n%s%v", out, err)
	}
	out, err = runTurkmail(t, env, "mailbox", "show", "1")
	for _, want := range []string{
		"Envelope-To: w1@example.org", "Subject: Nouvelle tâche disponible", "From: Laboratoire Ünïcode <notify@example.org>",
		"Reply-To: lab@example.org", "Bonjour — merci beaucoup !\nÀ bientôt.", "https://turkmail.example/unsubscribe/",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("mailbox show lacks %q:\n%s", want, out)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	raw, err := runTurkmail(t, env, "mailbox", "show", "1", "--raw")
	if err != nil || !strings.Contains(raw, "\r\nContent-Transfer-Encoding: quoted-printable\r\n") || strings.Contains(raw, "Bonjour —") {
		t.Fatalf("mailbox show --raw:\n%s%v", raw, err)
	}
	if _, err := runTurkmail(t, env, "mailbox", "show", "99"); err == nil || !strings.Contains(err.Error(), "no captured message 99") {
		t.Fatalf("unknown id: %v", err)
	}
}

// TestDeliveryFlagErrors: bad settings are refused before anything runs, and a relay
// password never appears in the error.
func TestDeliveryFlagErrors(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, []string{"--from", "Not An Address"}, "--from"},
		{nil, []string{"--public-url", "ftp://x"}, "--public-url"},
		{nil, []string{"--mail", "smtp://u:s3cret@relay.example:587?tls=bogus"}, "tls="},
		{nil, []string{"--mail", "sendmail"}, "--mail"},
		{nil, []string{"--retry-min", "10m", "--retry-max", "1m"}, "--retry-max"},
		{map[string]string{"TURKMAIL_RETRY_MIN": "five"}, nil, "TURKMAIL_RETRY_MIN"},
		{map[string]string{"TURKMAIL_MAIL": "smtp://u:s3cret@relay.example?tls=none"}, nil, "loopback"},
	} {
		env := map[string]string{"TURKMAIL_DB": dsn}
		for k, v := range tc.env {
			env[k] = v
		}
		_, err := runTurkmail(t, env, append([]string{"dispatch", "--until-idle"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v %v: err = %v, want one naming %q without the password", tc.env, tc.args, err, tc.want)
		}
	}
}
