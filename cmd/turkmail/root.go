package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

// globals are the flags every command takes. Each flag has an environment variable; the flag
// wins when both are set.
type globals struct {
	getenv    func(string) string
	db        string
	logFormat string
	logLevel  string
}

func newRootCommand(getenv func(string) string) *cobra.Command {
	g := &globals{getenv: getenv}
	root := &cobra.Command{
		Use:   "turkmail",
		Short: "Mechanical Turk's worker notifications (NotifyWorkers), self-hosted",
		Long: `turkmail implements the MTurk Requester API's NotifyWorkers operation and the work history
it depends on, wire-compatible with MTurk (AWS JSON 1.1, SigV4), and delivers each
notification as an email through SMTP.`,
		Example: `  turkmail serve --demo
  turkmail requester create --name "Vision Lab" --contact lab@example.org
  turkmail worker import panel.csv
  TURKMAIL_DB=postgres://turkmail@db.internal/turkmail turkmail migrate`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.db, "db", envOr(getenv, "TURKMAIL_DB", "turkmail.db"),
		"database: a SQLite file path, or a postgres:// URL (env TURKMAIL_DB)")
	pf.StringVar(&g.logFormat, "log-format", envOr(getenv, "TURKMAIL_LOG_FORMAT", "text"), "log format: text or json (env TURKMAIL_LOG_FORMAT)")
	pf.StringVar(&g.logLevel, "log-level", envOr(getenv, "TURKMAIL_LOG_LEVEL", "info"), "log level: debug, info, warn or error (env TURKMAIL_LOG_LEVEL)")
	root.AddCommand(
		newServeCommand(g),
		newMigrateCommand(g),
		newRequesterCommand(g),
		newWorkerCommand(g),
		newHITCommand(g),
		newAssignmentCommand(g),
		newDispatchCommand(g),
		newMailboxCommand(g),
		newDeliveriesCommand(g),
	)
	return root
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func (g *globals) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(g.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: want debug, info, warn or error", g.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch strings.ToLower(g.logFormat) {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format %q: want text or json", g.logFormat)
}

// withService gives fn the store and Service over --db and closes the store after it.
func (g *globals) withService(ctx context.Context, fn func(*sqlstore.Store, *turkmail.Service) error) error {
	store, svc, err := g.open(ctx, turkmail.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	return fn(store, svc)
}

// open connects to --db, migrating it, and builds the Service every command works through.
// serve calls it directly for its Service options (the OnQueued hook); SecretKey is always
// set here.
func (g *globals) open(ctx context.Context, o turkmail.Options) (*sqlstore.Store, *turkmail.Service, error) {
	store, err := sqlstore.Open(ctx, g.db, sqlstore.Options{})
	if err != nil {
		return nil, nil, err
	}
	o.SecretKey = []byte(g.getenv("TURKMAIL_SECRET_KEY"))
	svc, err := turkmail.NewService(store, o)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, svc, nil
}
