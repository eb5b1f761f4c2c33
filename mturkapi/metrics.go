package mturkapi

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the endpoint's Prometheus series, registered on a registry the caller owns.
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// NewMetrics registers the endpoint's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turkmail_api_requests_total",
			Help: "MTurk API requests by operation and result code (OK or the error's __type).",
		}, []string{"operation", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "turkmail_api_request_duration_seconds",
			Help:    "MTurk API request latency by operation.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"operation"}),
	}
	reg.MustRegister(m.requests, m.latency)
	return m
}

func (m *Metrics) observe(op, code string, d time.Duration) {
	if m == nil {
		return
	}
	if !knownOperationLabel(op) {
		op = "unknown" // attacker-chosen targets must not grow the series without bound
	}
	m.requests.WithLabelValues(op, code).Inc()
	m.latency.WithLabelValues(op).Observe(d.Seconds())
}

func knownOperationLabel(op string) bool {
	return op == "-" || mturkOperations[op] || turkmailOperations[op]
}
