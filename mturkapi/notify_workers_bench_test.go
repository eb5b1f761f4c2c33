package mturkapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/mturkapi"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// BenchmarkNotifyWorkers measures the accept path: one NotifyWorkers call to 100 eligible
// workers through the real handler (SigV4 verification, decoding, validation, the facts
// query, the transaction with 100 queued deliveries and the invocation record). Requests
// are signed before the timer starts, so the numbers (allocations too) are the server's.
// The cap is off and the throttle too, or after 10 rounds every worker would be refused.
func BenchmarkNotifyWorkers(b *testing.B) {
	for _, dialect := range storetest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			env := newNotifyBench(b, dialect, 1)
			b.ResetTimer()
			b.StopTimer()
			b.ReportAllocs()
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				req := env.request(b, 0, fmt.Sprintf("bench-%d-%d", b.N, i))
				rec := httptest.NewRecorder()
				b.StartTimer()
				start := time.Now()
				env.h.ServeHTTP(rec, req)
				elapsed += time.Since(start)
				b.StopTimer()
				env.check(b, i, rec)
			}
			calls := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(calls, "calls/s")
			b.ReportMetric(calls*float64(len(env.ids)), "recipients/s")
		})
	}
}

// BenchmarkNotifyWorkersParallel is BenchmarkNotifyWorkers with 4 × GOMAXPROCS concurrent
// callers, each call from one of as many requesters (round robin) to the same 100 workers:
// throughput under concurrency. All requests are signed before the timer starts; calls/s is
// b.N over the wall time of the parallel section.
func BenchmarkNotifyWorkersParallel(b *testing.B) {
	const parallelism = 4
	for _, dialect := range storetest.Dialects {
		b.Run(dialect, func(b *testing.B) {
			callers := parallelism * runtime.GOMAXPROCS(0)
			env := newNotifyBench(b, dialect, callers)
			reqs := make([]*http.Request, b.N)
			for i := range reqs {
				reqs[i] = env.request(b, i%callers, fmt.Sprintf("benchp-%d-%d", b.N, i))
			}
			var next atomic.Int64
			b.SetParallelism(parallelism)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1) - 1)
					rec := httptest.NewRecorder()
					env.h.ServeHTTP(rec, reqs[i])
					env.check(b, i, rec)
				}
			})
			b.StopTimer()
			calls := float64(b.N) / b.Elapsed().Seconds()
			b.ReportMetric(calls, "calls/s")
			b.ReportMetric(calls*float64(len(env.ids)), "recipients/s")
		})
	}
}

// notifyBench is a handler over a fresh store with requesters, each with the same 100
// eligible workers, and one request body.
type notifyBench struct {
	h       http.Handler
	ids     []string
	body    []byte
	signers []*v4.Signer
}

func newNotifyBench(b *testing.B, dialect string, requesters int) *notifyBench {
	b.Helper()
	ctx := context.Background()
	dsn := storetest.DSN(b, dialect)
	store, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	svc, err := turkmail.NewService(store, turkmail.Options{NotifyCap: -1, NotifyRate: -1})
	if err != nil {
		b.Fatal(err)
	}
	env := &notifyBench{ids: make([]string, 100)}
	var reqIDs []string
	for r := range requesters {
		creds, err := svc.CreateRequester(ctx, turkmail.NewRequester{Name: fmt.Sprintf("Bench Lab %d", r), BalanceCents: 100000})
		if err != nil {
			b.Fatal(err)
		}
		reqIDs = append(reqIDs, creds.RequesterID)
		env.signers = append(env.signers, v4.NewSigner(credentials.NewStaticCredentials(creds.AccessKeyID, creds.SecretAccessKey, "")))
	}
	// The first requester's workers become eligible the real way (HIT, accept, submit,
	// approve); the others' by the rows those steps write, which is much faster.
	seed := storetest.NewSeeder(b, dsn)
	for i := range env.ids {
		env.ids[i] = fmt.Sprintf("ABENCH%03d", i)
		storetest.SeedReviewedWorker(b, store, svc, reqIDs[0], env.ids[i], strings.ToLower(env.ids[i])+"@example.org", true)
		for _, r := range reqIDs[1:] {
			seed.Reviewed(r, env.ids[i])
		}
	}
	env.h = mturkapi.New(mturkapi.Config{Service: svc, Region: apitest.Region,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	env.body, _ = json.Marshal(map[string]any{"Subject": "New HITs for you",
		"MessageText": strings.Repeat("We posted new HITs you may like. ", 20), "WorkerIds": env.ids})
	return env
}

// request is a NotifyWorkers request of requester r, signed as the SDKs sign it.
func (e *notifyBench) request(b *testing.B, r int, invocationID string) *http.Request {
	req := httptest.NewRequest("POST", "/", bytes.NewReader(e.body))
	req.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.NotifyWorkers")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("amz-sdk-invocation-id", invocationID)
	if _, err := e.signers[r].Sign(req, bytes.NewReader(e.body), "mturk-requester", apitest.Region, time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

func (e *notifyBench) check(b *testing.B, i int, rec *httptest.ResponseRecorder) {
	if rec.Code != 200 || rec.Body.String() != `{"NotifyWorkersFailureStatuses":[]}` {
		b.Errorf("call %d: %d %s", i, rec.Code, rec.Body)
	}
}
