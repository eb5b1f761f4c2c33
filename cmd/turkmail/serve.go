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

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/outbox"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/web"
)

type serveFlags struct {
	addr   string
	region string
	// demo seeds an empty database with the demo requester, HIT and workers.
	demo bool
	// autoApprove is how often the auto-approval job runs (0: never on this node).
	autoApprove time.Duration
	dispatch    bool          // run the delivery dispatcher in this process
	delivery    deliveryFlags // its sender and retry rules (dispatch.go)
	notify      notifyFlags   // NotifyWorkers' cap and throttling (serve_notify.go)
}

func newServeCommand(g *globals) *cobra.Command {
	var f serveFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the MTurk API endpoint",
		Long: `Run the MTurk API endpoint (POST /), with GET /healthz, GET /readyz and GET /metrics.
The delivery dispatcher runs in the same process (--dispatch=false turns it off) and sends
each accepted notification through --mail: capture (the default) or an SMTP relay.
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
	cmd.Flags().BoolVar(&f.demo, "demo", false, "on an empty database, seed a demo requester (fixed credentials, printed), one HIT and four workers")
	cmd.Flags().DurationVar(&f.autoApprove, "auto-approve-interval", time.Minute, "how often to approve submitted assignments whose auto-approval time has passed; 0 disables it on this node (env TURKMAIL_AUTO_APPROVE_INTERVAL)")
	cmd.Flags().StringVar(&f.region, "region", envOr(g.getenv, "TURKMAIL_REGION", "us-east-1"), "SigV4 region requests must be signed for (env TURKMAIL_REGION)")
	cmd.Flags().BoolVar(&f.dispatch, "dispatch", envOr(g.getenv, "TURKMAIL_DISPATCH", "true") != "false",
		"run the delivery dispatcher in this process; false leaves sending to turkmail dispatch (env TURKMAIL_DISPATCH)")
	f.delivery.register(cmd.Flags(), g.getenv)
	f.notify.register(cmd.Flags(), g.getenv)
	return cmd
}

func serve(ctx context.Context, g *globals, f serveFlags, log *slog.Logger, cmd *cobra.Command) error {
	// NotifyWorkers pokes the dispatcher on this node after each commit (Options.OnQueued).
	wake := outbox.NewWake()
	opts := turkmail.Options{OnQueued: wake.Poke}
	if err := f.notify.apply(&opts); err != nil {
		return err
	}
	store, svc, err := g.open(ctx, opts)
	if err != nil {
		return err
	}
	defer store.Close()
	startInvocationPurge(ctx, svc, 10*time.Minute, log)
	if f.demo {
		if err := seedDemo(ctx, svc, cmd.OutOrStdout()); err != nil {
			return err
		}
	}
	if v := g.getenv("TURKMAIL_AUTO_APPROVE_INTERVAL"); v != "" && !cmd.Flags().Changed("auto-approve-interval") {
		if f.autoApprove, err = time.ParseDuration(v); err != nil || f.autoApprove < 0 {
			return fmt.Errorf("TURKMAIL_AUTO_APPROVE_INTERVAL %q: want a duration such as 1m, or 0 to disable", v)
		}
	}
	if f.autoApprove > 0 {
		stopAutoApproval := startAutoApproval(ctx, svc, f.autoApprove, log)
		defer stopAutoApproval()
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	handler := web.New(web.Config{Service: svc, Store: store, Region: f.region, Logger: log, Registry: reg})

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", f.addr, err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		WriteTimeout: time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	dispatched, err := startDispatcher(ctx, f, "http://"+ln.Addr().String(), store, svc, log, reg, wake)
	if err != nil {
		ln.Close()
		return err
	}
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
	<-dispatched // ctx is cancelled: the dispatcher finishes its sends and records them
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// startDispatcher runs the delivery dispatcher beside the API when --dispatch is on; the
// channel is closed once it has stopped (at once when it is off). defaultURL is the public
// URL when --public-url is not given: the address the API listens on.
func startDispatcher(ctx context.Context, f serveFlags, defaultURL string, store *sqlstore.Store, svc *turkmail.Service,
	log *slog.Logger, reg *prometheus.Registry, wake outbox.Wake) (<-chan struct{}, error) {
	done := make(chan struct{})
	if !f.dispatch {
		close(done)
		return done, nil
	}
	if err := f.delivery.check(defaultURL); err != nil {
		return nil, err
	}
	d, closeSender, err := f.delivery.dispatcher(store, svc, log, reg, wake)
	if err != nil {
		return nil, err
	}
	go func() {
		defer close(done)
		defer closeSender()
		if err := d.Run(ctx); err != nil {
			log.Error("dispatcher stopped", "error", err)
		}
	}()
	return done, nil
}
