package storetest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// BenchmarkEligibility measures NotifyWorkers' eligibility query (100 worker ids, one
// requester) over histories of 10^4, 10^5 and 10^6 assignments. Its cost should stay flat:
// it probes reviewed_workers' primary key, never the assignments. Not part of `go test`:
//
//	TURKMAIL_TEST_POSTGRES=postgres://… go test ./storetest -run '^$' -bench Eligibility -benchtime 2000x
func BenchmarkEligibility(b *testing.B) {
	for _, d := range storetest.Dialects {
		for _, n := range []int{10_000, 100_000, 1_000_000} {
			b.Run(fmt.Sprintf("%s/assignments=%d", d, n), func(b *testing.B) {
				ctx := context.Background()
				dsn := storetest.DSN(b, d)
				s, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				requesters, workers := storetest.NewSeeder(b, dsn).WorkHistory(n)
				// 100 ids spread over the whole worker range: some eligible, some not.
				ids := make([]string, 100)
				for i := range ids {
					ids[i] = workers[(i*7919)%len(workers)]
				}
				got, err := s.ReviewedWorkers(ctx, requesters[0], ids)
				if err != nil {
					b.Fatal(err)
				}
				for b.Loop() {
					if _, err := s.ReviewedWorkers(ctx, requesters[0], ids); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(got)), "eligible/op")
			})
		}
	}
}
