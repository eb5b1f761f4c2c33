package mturkapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/mturkapi"
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
			store := storetest.Open(b, dialect)
			svc, err := turkmail.NewService(store, turkmail.Options{NotifyCap: -1, NotifyRate: -1})
			if err != nil {
				b.Fatal(err)
			}
			creds, err := svc.CreateRequester(context.Background(), turkmail.NewRequester{Name: "Bench Lab", BalanceCents: 100000})
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]string, 100)
			for i := range ids {
				ids[i] = fmt.Sprintf("ABENCH%03d", i)
				storetest.SeedReviewedWorker(b, store, svc, creds.RequesterID, ids[i], strings.ToLower(ids[i])+"@example.org", true)
			}
			h := mturkapi.New(mturkapi.Config{Service: svc, Region: apitest.Region,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			body, _ := json.Marshal(map[string]any{"Subject": "New HITs for you",
				"MessageText": strings.Repeat("We posted new HITs you may like. ", 20), "WorkerIds": ids})
			signer := v4.NewSigner(credentials.NewStaticCredentials(creds.AccessKeyID, creds.SecretAccessKey, ""))

			b.ResetTimer()
			b.StopTimer()
			b.ReportAllocs()
			var elapsed time.Duration
			for i := 0; i < b.N; i++ {
				req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
				req.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.NotifyWorkers")
				req.Header.Set("Content-Type", "application/x-amz-json-1.1")
				req.Header.Set("amz-sdk-invocation-id", fmt.Sprintf("bench-%d-%d", b.N, i))
				if _, err := signer.Sign(req, bytes.NewReader(body), "mturk-requester", apitest.Region, time.Now()); err != nil {
					b.Fatal(err)
				}
				rec := httptest.NewRecorder()
				b.StartTimer()
				start := time.Now()
				h.ServeHTTP(rec, req)
				elapsed += time.Since(start)
				b.StopTimer()
				if rec.Code != 200 || rec.Body.String() != `{"NotifyWorkersFailureStatuses":[]}` {
					b.Fatalf("call %d: %d %s", i, rec.Code, rec.Body)
				}
			}
			calls := float64(b.N) / elapsed.Seconds()
			b.ReportMetric(calls, "calls/s")
			b.ReportMetric(calls*float64(len(ids)), "recipients/s")
		})
	}
}
