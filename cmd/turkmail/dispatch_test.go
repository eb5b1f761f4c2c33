package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail/smtptest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// buildTurkmail compiles this command into the test's temp dir, so that a test can kill it
// the way an operator's machine would.
func buildTurkmail(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "turkmail")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// seedQueue opens (and migrates) dsn and queues one delivery to each of n workers.
func seedQueue(t *testing.T, dsn string, n int) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	seed := storetest.NewSeeder(t, dsn)
	seed.Requester("AREQ1", "Lab", "lab@example.org")
	ids := seed.Workers("W", n, "example.org")
	seed.Notification("N1", "AREQ1", "Subject", "Text", time.Now())
	seed.Deliveries("N1", "AREQ1", ids, time.Now())
	return s
}

// dispatchProcess is one `turkmail dispatch` child process.
type dispatchProcess struct {
	cmd         *exec.Cmd
	out, errOut bytes.Buffer
}

func startDispatch(t *testing.T, bin, dsn string, srv *smtptest.Server, extra ...string) *dispatchProcess {
	t.Helper()
	p := &dispatchProcess{}
	args := append([]string{"dispatch", "--db", dsn, "--log-level", "warn",
		"--mail", fmt.Sprintf("smtp://%s?tls=none", srv.Addr()), "--from", "turkmail@test.example"}, extra...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errOut
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	return p
}

// checkSink: every delivery is delivered and reached the relay at least once, every copy
// of it with its own Message-ID; it returns the number of duplicates.
func checkSink(t *testing.T, s *sqlstore.Store, srv *smtptest.Server, n int) int {
	t.Helper()
	counts, err := s.CountDeliveries(context.Background())
	if err != nil || counts[turkmail.DeliveryDelivered] != n {
		t.Fatalf("deliveries by state: %v, %v; want %d delivered", counts, err, n)
	}
	copies := map[string]int{}
	for _, m := range srv.Messages() {
		worker := strings.ToUpper(strings.TrimSuffix(m.To, "@example.org"))
		if want := storetest.MessageID("N1", worker); m.MessageID != want {
			t.Fatalf("message to %s carries Message-ID %q, want %q", m.To, m.MessageID, want)
		}
		copies[m.MessageID]++
	}
	if len(copies) != n {
		t.Fatalf("relay got %d distinct messages, want %d: some were lost", len(copies), n)
	}
	return srv.Count() - n
}

// TestDispatchSIGKILL kills the dispatcher mid-run without warning, then restarts it:
// the rest is delivered, nothing is lost, and a message sent twice (sent, but killed before
// its result was recorded) carries the same Message-ID both times.
func TestDispatchSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildTurkmail(t)
	const n = 3000
	dsn := storetest.DSN(t, "sqlite")
	s := seedQueue(t, dsn, n)
	srv := smtptest.NewServer(t)
	srv.SetBehaviour(func(string, int) smtptest.Behaviour { return smtptest.Delay(2 * time.Millisecond) })

	flags := []string{"--lease", "1s", "--smtp-connections", "4"}
	first := startDispatch(t, bin, dsn, srv, flags...)
	deadline := time.Now().Add(30 * time.Second)
	for srv.Count() < n/3 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d sent in 30s; stderr:\n%s", srv.Count(), first.errOut.String())
		}
		time.Sleep(time.Millisecond)
	}
	if err := first.cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup at all
		t.Fatal(err)
	}
	first.cmd.Wait()
	killedAt := srv.Count()
	if killedAt >= n {
		t.Fatalf("everything was sent before the kill; make the run longer")
	}
	time.Sleep(1100 * time.Millisecond) // the dead process's leases run out

	second := startDispatch(t, bin, dsn, srv, append(flags, "--until-idle")...)
	if err := second.cmd.Wait(); err != nil {
		t.Fatalf("restarted dispatch: %v\n%s", err, second.errOut.String())
	}
	dups := checkSink(t, s, srv, n)
	t.Logf("killed after %d messages; after the restart: %s; duplicates: %d", killedAt, strings.TrimSpace(second.out.String()), dups)
}

// TestTwoDispatchersOnePostgres: two processes drain 10,000 deliveries from one PostgreSQL;
// with leases that never run out, none is lost and none is sent twice.
func TestTwoDispatchersOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dsn := storetest.DSN(t, "postgres") // skips without TURKMAIL_TEST_POSTGRES
	bin := buildTurkmail(t)
	const n = 10000
	s := seedQueue(t, dsn, n)
	srv := smtptest.NewServer(t)

	flags := []string{"--lease", "5s", "--smtp-connections", "4", "--poll-interval", "50ms", "--until-idle"}
	var procs []*dispatchProcess
	for range 2 {
		procs = append(procs, startDispatch(t, bin, dsn, srv, flags...))
	}
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() {
			if err := p.cmd.Wait(); err != nil {
				t.Errorf("dispatch: %v\n%s", err, p.errOut.String())
			}
		})
	}
	wg.Wait()
	if dups := checkSink(t, s, srv, n); dups != 0 {
		t.Fatalf("%d messages sent twice", dups)
	}
	for i, p := range procs {
		t.Logf("process %d: %s", i+1, strings.TrimSpace(p.out.String()))
	}
}
