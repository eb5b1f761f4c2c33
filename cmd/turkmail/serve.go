package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail/web"
)

type serveFlags struct {
	addr   string
	region string
}

func newServeCommand(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the MTurk API endpoint",
		Long: `Run the MTurk API endpoint (POST /), with GET /healthz, GET /readyz and GET /metrics.
SIGINT or SIGTERM stops accepting connections, lets requests in flight finish, and exits 0.`,
		Example: `  turkmail serve
  turkmail serve --addr 0.0.0.0:8089 --db postgres://turkmail@db.internal/turkmail --log-format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			return serve(cmd.Context(), g, f, log, cmd)
		},
	}
	cmd.Flags().StringVar(&f.addr, "addr", envOr(g.getenv, "TURKMAIL_ADDR", "127.0.0.1:8089"), "listen address (env TURKMAIL_ADDR)")
	cmd.Flags().StringVar(&f.region, "region", envOr(g.getenv, "TURKMAIL_REGION", "us-east-1"), "SigV4 region requests must be signed for (env TURKMAIL_REGION)")
	return cmd
}

func serve(ctx context.Context, g *globals, f serveFlags, log *slog.Logger, cmd *cobra.Command) error {
	store, svc, err := g.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	handler := web.New(web.Config{Service: svc, Store: store, Region: f.region, Logger: log, Registry: reg})

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("turkmail serving", "addr", ln.Addr().String(), "db", store.Dialect(), "region", f.region)
	// Tests and scripts read this line to learn the port when --addr ends in :0.
	fmt.Fprintf(cmd.OutOrStdout(), "listening on http://%s\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
