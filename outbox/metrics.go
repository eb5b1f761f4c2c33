package outbox

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/turkmail/turkmail"
)

// Metrics are the dispatcher's Prometheus series; a nil *Metrics records nothing.
type Metrics struct {
	results   *prometheus.CounterVec
	leaseLost prometheus.Counter
	send      prometheus.Histogram
}

// NewMetrics registers the dispatcher's series with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		results: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "turkmail_deliveries_total",
			Help: "Delivery attempts recorded, by result: delivered, deferred, bounced, expired, cancelled, released.",
		}, []string{"result"}),
		leaseLost: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "turkmail_delivery_leases_lost_total",
			Help: "Results not recorded because another dispatcher had taken the delivery over.",
		}),
		send: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "turkmail_delivery_send_seconds",
			Help:    "Time to hand one message to the sender, failures included.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 4, 10),
		}),
	}
	reg.MustRegister(m.results, m.leaseLost, m.send)
	// Every result at zero from the start, so that rate() works before the first bounce.
	for _, st := range []string{"delivered", "deferred", "bounced", "expired", "cancelled", "released"} {
		m.results.WithLabelValues(st)
	}
	return m
}

func (m *Metrics) recorded(st turkmail.DeliveryState, n int) {
	if m == nil || n == 0 {
		return
	}
	label := string(st)
	if st == turkmail.DeliveryQueued {
		label = "released"
	}
	m.results.WithLabelValues(label).Add(float64(n))
}

func (m *Metrics) lost(n int) {
	if m != nil && n > 0 {
		m.leaseLost.Add(float64(n))
	}
}

func (m *Metrics) sent(seconds float64) {
	if m != nil {
		m.send.Observe(seconds)
	}
}
