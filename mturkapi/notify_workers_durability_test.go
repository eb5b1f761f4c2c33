package mturkapi_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/mturk"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/mturkapi"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// closeAfterCommit lets the real handler run (and commit) the first NotifyWorkers request
// of each invocation id, then closes the connection without a response: the client sees
// what a crash or a network cut between commit and answer looks like. It remembers the
// notification id that first run committed.
type closeAfterCommit struct {
	next      http.Handler
	mu        sync.Mutex
	seen      map[string]bool
	committed []string
}

func (c *closeAfterCommit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	inv := r.Header.Get("amz-sdk-invocation-id")
	c.mu.Lock()
	first := inv != "" && strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".NotifyWorkers") && !c.seen[inv]
	c.seen[inv] = true
	c.mu.Unlock()
	if !first {
		c.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, r)
	c.mu.Lock()
	c.committed = append(c.committed, rec.Header().Get(mturkapi.NotificationIDHeader))
	c.mu.Unlock()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}

// boto3's own retry after a connection lost past the commit replays the committed answer:
// one delivery per worker, and the call succeeds.
func TestNotifyWorkersRetryAfterConnectionClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		cut := &closeAfterCommit{seen: map[string]bool{}}
		srv, creds := notifyServer(t, s, apitest.Config{Wrap: func(h http.Handler) http.Handler { cut.next = h; return cut }})
		out, stderr, code := srv.Python(t, creds, `
import os, boto3
from botocore.config import Config
c = boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1",
                 config=Config(retries={"mode": "standard", "max_attempts": 3}))
r = c.notify_workers(Subject="S", MessageText="T", WorkerIds=["AOK1", "AOK2", "ANOPE"])
print(r["ResponseMetadata"]["RetryAttempts"], r["ResponseMetadata"]["HTTPHeaders"]["x-turkmail-notification-id"])
print([f["WorkerId"] for f in r["NotifyWorkersFailureStatuses"]])
`)
		cut.mu.Lock()
		committed := cut.committed
		cut.mu.Unlock()
		if len(committed) != 1 || committed[0] == "" {
			t.Fatalf("the cut ran %d times (%v)", len(committed), committed)
		}
		want := fmt.Sprintf("1 %s\n['ANOPE']\n", committed[0])
		if code != 0 || out != want {
			t.Fatalf("boto3 printed %q, want %q (stderr %s, exit %d)", out, want, stderr, code)
		}
		counts, err := s.CountDeliveries(context.Background())
		if err != nil || counts[turkmail.DeliveryQueued] != 2 || len(counts) != 1 {
			t.Fatalf("deliveries %v (%v), want 2 queued", counts, err)
		}
	})
}

// Every NotifyWorkers call answered 200 survives the server being killed (SIGKILL) at once:
// the deliveries were committed before the answer.
func TestNotifyWorkersSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, dialect)
			store, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			svc, err := turkmail.NewService(store, turkmail.Options{})
			if err != nil {
				t.Fatal(err)
			}
			creds, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "Crash Lab", BalanceCents: 100000})
			if err != nil {
				t.Fatal(err)
			}
			var workers []string
			for i := range 8 {
				id := fmt.Sprintf("ACRASH%d", i)
				storetest.SeedReviewedWorker(t, store, svc, creds.RequesterID, id, strings.ToLower(id)+"@example.org", true)
				workers = append(workers, id)
			}
			store.Close()

			url, kill := startBinary(t, bin, dsn)
			sess := session.Must(session.NewSession(&aws.Config{Region: aws.String(apitest.Region), Endpoint: aws.String(url),
				Credentials: credentials.NewStaticCredentials(creds.AccessKeyID, creds.SecretAccessKey, ""), MaxRetries: aws.Int(0)}))
			client := mturk.New(sess)
			accepted := make(chan string, 1000)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 4 {
				wg.Go(func() {
					for {
						select {
						case <-stop:
							return
						default:
						}
						req, _ := client.NotifyWorkersRequest(&mturk.NotifyWorkersInput{Subject: aws.String("Crash"), MessageText: aws.String("Test"),
							WorkerIds: aws.StringSlice(append(workers, "AGHOST"))})
						if req.Send() == nil {
							accepted <- req.HTTPResponse.Header.Get(mturkapi.NotificationIDHeader)
						}
					}
				})
			}
			// Kill the moment the 40th 200 arrives, with other calls still in flight.
			var ids []string
			for len(ids) < 40 {
				ids = append(ids, <-accepted)
			}
			kill()
			close(stop)
			wg.Wait()
			close(accepted)
			for id := range accepted {
				ids = append(ids, id)
			}

			store, err = sqlstore.Open(ctx, dsn, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			for _, id := range ids {
				r, err := store.NotificationReport(ctx, creds.RequesterID, id)
				if err != nil || r.WorkerCount != len(workers) {
					t.Fatalf("notification %q answered 200 before the kill: %d deliveries (%v), want %d", id, r.WorkerCount, err, len(workers))
				}
			}
			t.Logf("%d accepted notifications, all with their %d deliveries after SIGKILL", len(ids), len(workers))
		})
	}
}

// A throttled call queues nothing, and boto3 retries ThrottlingException by itself: against
// the real binary with --burst 1 and a slow --rate, back-to-back calls are throttled, boto3's
// standard retry mode gets each through in the end, and the store holds exactly one queued
// delivery per accepted worker per call — none from the throttled attempts.
func TestNotifyWorkersBoto3RetriesThrottling(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	apitest.RequirePython(t, "boto3")
	bin := buildBinary(t)
	for _, dialect := range storetest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, dialect)
			store, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer store.Close()
			svc, err := turkmail.NewService(store, turkmail.Options{})
			if err != nil {
				t.Fatal(err)
			}
			creds, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: "Throttle Lab", BalanceCents: 100000})
			if err != nil {
				t.Fatal(err)
			}
			storetest.SeedReviewedWorker(t, store, svc, creds.RequesterID, "AOK1", "ok1@example.org", true)
			storetest.SeedReviewedWorker(t, store, svc, creds.RequesterID, "AOK2", "ok2@example.org", false)

			url, kill := startBinary(t, bin, dsn, "--rate", "2", "--burst", "1")
			defer kill()
			srv := &apitest.Server{URL: url}
			out, stderr, code := srv.Python(t, creds, `
import os, boto3
from botocore.config import Config
c = boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1",
                 config=Config(retries={"mode": "standard", "max_attempts": 10}))
retried = 0
for i in range(5):
    r = c.notify_workers(Subject="New HITs %d" % i, MessageText="Hello", WorkerIds=["AOK1", "ANOPE", "AOK2", "AOK1"])
    retried += r["ResponseMetadata"]["RetryAttempts"] > 0
    print(r["ResponseMetadata"]["HTTPHeaders"]["x-turkmail-notification-id"], [f["WorkerId"] for f in r["NotifyWorkersFailureStatuses"]])
print("retried", retried > 0)
`)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if code != 0 || len(lines) != 6 || lines[5] != "retried True" {
				t.Fatalf("boto3 printed %q (stderr %s, exit %d); want 5 answers, some after retries", out, stderr, code)
			}
			for _, line := range lines[:5] {
				id, statuses, _ := strings.Cut(line, " ")
				if statuses != "['ANOPE']" || deliveriesOf(t, store, creds.RequesterID, id) != 2 {
					t.Fatalf("answer %q: want ANOPE refused and 2 deliveries", line)
				}
			}
			counts, err := store.CountDeliveries(ctx)
			if err != nil || counts[turkmail.DeliveryQueued] != 10 || len(counts) != 1 {
				t.Fatalf("deliveries %v (%v), want 10 queued: 5 calls × 2 workers, nothing from throttled attempts", counts, err)
			}
		})
	}
}

// buildBinary builds cmd/turkmail into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "turkmail")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/turkmail/turkmail/cmd/turkmail").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startBinary runs `turkmail serve` on a free port over dsn (throttle and cap off, unless
// extra flags, which come last and so win, say otherwise) and returns its URL and a
// function that SIGKILLs it and waits for it to die.
func startBinary(t *testing.T, bin, dsn string, extra ...string) (string, func()) {
	t.Helper()
	args := []string{"serve", "--addr", "127.0.0.1:0", "--db", dsn, "--dispatch=false", "--auto-approve-interval", "0", "--rate", "0", "--notify-cap", "off"}
	cmd := exec.Command(bin, append(args, extra...)...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TURKMAIL_") {
			env = append(env, kv)
		}
	}
	cmd.Env = env
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	kill := func() {
		if !killed {
			killed = true
			cmd.Process.Kill() // SIGKILL: no shutdown, no flush
			cmd.Wait()
		}
	}
	t.Cleanup(kill)
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
				urlc <- u
			}
		}
	}()
	select {
	case u := <-urlc:
		return u, kill
	case <-time.After(30 * time.Second):
		kill()
		t.Fatalf("turkmail serve did not start:\n%s", stderr.String())
	}
	return "", nil
}
