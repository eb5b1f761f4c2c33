// Package web is turkmail's HTTP surface: it routes the MTurk endpoint, the health and
// readiness probes and the metrics, and (as they arrive) the worker-facing pages. serve and
// the end-to-end tests build the same routes from here.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mturkapi"
)

// Config is what the routes need.
type Config struct {
	Service  *turkmail.Service
	Store    turkmail.Store
	Region   string
	Logger   *slog.Logger
	Registry *prometheus.Registry // metrics are registered here and served from it
	Now      func() time.Time
}

// New returns the routes.
func New(c Config) http.Handler {
	api := mturkapi.New(mturkapi.Config{Service: c.Service, Region: c.Region, Logger: c.Logger,
		Metrics: mturkapi.NewMetrics(c.Registry), Now: c.Now})
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.Handle("POST /mturk/externalSubmit", mturkapi.ExternalSubmit(c.Service, c.Logger))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", readyz(c.Store, c.Logger))
	mux.Handle("GET /metrics", promhttp.HandlerFor(c.Registry, promhttp.HandlerOpts{}))
	unsubscribeRoutes(mux, c.Service, c.Logger)
	return mux
}

func readyz(store turkmail.Store, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			log.Warn("readiness check failed", "error", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	}
}
