package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
	"github.com/turkmail/turkmail/outbox"
	"github.com/turkmail/turkmail/sqlstore"
)

// deliveryFlags configure the dispatcher and its sender; serve and dispatch both take them.
type deliveryFlags struct {
	mail        string
	from        string
	publicURL   string
	connections int
	smtpTimeout time.Duration // each SMTP command, the reply to the message included
	dialTimeout time.Duration // connecting to the relay, before TLS and AUTH
	poll        time.Duration
	lease       time.Duration
	retryMin    time.Duration
	retryMax    time.Duration
	lifetime    time.Duration
	envErr      error // a malformed environment variable, reported when the command runs
	getenv      func(string) string
}

func (f *deliveryFlags) register(fs *pflag.FlagSet, getenv func(string) string) {
	f.getenv = getenv
	// No default from the environment here: it would print a relay password in --help.
	fs.StringVar(&f.mail, "mail", "",
		"where mail goes: capture (kept in the database; see turkmail mailbox) or smtp://[user:pass@]host:port?tls=starttls|implicit|none (default capture) (env TURKMAIL_MAIL)")
	fs.StringVar(&f.from, "from", envOr(getenv, "TURKMAIL_FROM", "turkmail@localhost"),
		"operator address: envelope sender and From address, shown with the requester's name (env TURKMAIL_FROM)")
	fs.StringVar(&f.publicURL, "public-url", getenv("TURKMAIL_PUBLIC_URL"),
		"base URL workers reach this deployment at, for unsubscribe links (default http://<addr>) (env TURKMAIL_PUBLIC_URL)")
	fs.IntVar(&f.connections, "smtp-connections", f.envInt(getenv, "TURKMAIL_SMTP_CONNECTIONS", outbox.DefaultConnections),
		"SMTP connections, and sends at once (env TURKMAIL_SMTP_CONNECTIONS)")
	f.duration(fs, getenv, &f.smtpTimeout, "smtp-timeout", "TURKMAIL_SMTP_TIMEOUT", mail.DefaultCommandTimeout,
		"longest wait for the relay's answer to any SMTP command, the reply after the message included (RFC 5321 asks for minutes); a timeout defers the delivery")
	f.duration(fs, getenv, &f.dialTimeout, "smtp-dial-timeout", "TURKMAIL_SMTP_DIAL_TIMEOUT", mail.DefaultDialTimeout,
		"longest wait to connect to the relay")
	def := turkmail.DefaultRetry()
	f.duration(fs, getenv, &f.poll, "poll-interval", "TURKMAIL_POLL_INTERVAL", outbox.DefaultPoll,
		"how often to look for due deliveries when not woken by new work")
	f.duration(fs, getenv, &f.lease, "lease", "TURKMAIL_LEASE", outbox.DefaultLease,
		"how long a claimed delivery is this node's before another may take it over")
	f.duration(fs, getenv, &f.retryMin, "retry-min", "TURKMAIL_RETRY_MIN", def.Min,
		"wait before the first retry of a transient failure; doubles per attempt")
	f.duration(fs, getenv, &f.retryMax, "retry-max", "TURKMAIL_RETRY_MAX", def.Max,
		"longest wait between retries")
	f.duration(fs, getenv, &f.lifetime, "queue-lifetime", "TURKMAIL_QUEUE_LIFETIME", def.Lifetime,
		"a delivery still failing this long after it was queued expires")
}

// duration registers a duration flag whose default comes from an environment variable.
func (f *deliveryFlags) duration(fs *pflag.FlagSet, getenv func(string) string, p *time.Duration, name, env string, def time.Duration, usage string) {
	if v := getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			f.envErr = errors.Join(f.envErr, fmt.Errorf("%s=%q: want a duration such as 30s or 5m", env, v))
		} else {
			def = d
		}
	}
	fs.DurationVar(p, name, def, usage+" (env "+env+")")
}

func (f *deliveryFlags) envInt(getenv func(string) string, env string, def int) int {
	v := getenv(env)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		f.envErr = errors.Join(f.envErr, fmt.Errorf("%s=%q: want a number", env, v))
		return def
	}
	return n
}

// check validates the flags; defaultURL is the public URL when none was given.
func (f *deliveryFlags) check(defaultURL string) error {
	if f.envErr != nil {
		return f.envErr
	}
	if f.mail == "" {
		f.mail = envOr(f.getenv, "TURKMAIL_MAIL", "capture")
	}
	a, err := netmail.ParseAddress(f.from)
	if err != nil || a.Name != "" || strings.ContainsAny(a.Address, " <>") {
		return fmt.Errorf("--from %q: want a bare address such as notify@example.org", f.from)
	}
	f.from = a.Address
	if f.publicURL == "" {
		f.publicURL = defaultURL
	}
	u, err := url.Parse(f.publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("--public-url %q: want an absolute http(s) URL without query, such as https://turkmail.example.org", f.publicURL)
	}
	if f.connections < 1 || f.connections > 100 {
		return fmt.Errorf("--smtp-connections %d: want 1 to 100", f.connections)
	}
	if f.smtpTimeout <= 0 || f.dialTimeout <= 0 {
		return errors.New("--smtp-timeout and --smtp-dial-timeout must be positive")
	}
	if f.retryMin <= 0 || f.retryMax < f.retryMin || f.lifetime <= 0 || f.poll <= 0 || f.lease <= 0 {
		return errors.New("--retry-min, --retry-max, --queue-lifetime, --poll-interval and --lease must be positive, and --retry-max at least --retry-min")
	}
	return nil
}

// sender builds the configured Sender; close releases its connections.
func (f *deliveryFlags) sender(store *sqlstore.Store) (s turkmail.Sender, desc string, closeFn func() error, err error) {
	if f.mail == "capture" {
		return mail.CaptureSender{Store: store}, "capture", func() error { return nil }, nil
	}
	if !strings.HasPrefix(f.mail, "smtp://") {
		return nil, "", nil, fmt.Errorf("--mail: want capture or smtp://host:port, not %q", redactURL(f.mail))
	}
	cfg, err := mail.ParseSMTPURL(f.mail)
	if err != nil {
		return nil, "", nil, fmt.Errorf("--mail: %w", err)
	}
	cfg.Connections = f.connections
	cfg.CommandTimeout, cfg.DialTimeout = f.smtpTimeout, f.dialTimeout
	if host, _ := os.Hostname(); host != "" && !strings.ContainsAny(host, " []") {
		cfg.HeloName = host
	}
	sender := mail.NewSMTPSender(cfg)
	return sender, cfg.String(), sender.Close, nil
}

// redactURL drops a password from a URL-like string before it is shown.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "***")
			return u.String()
		}
	}
	return s
}

// dispatcher builds the dispatcher for checked flags; closeFn closes its sender.
func (f *deliveryFlags) dispatcher(store *sqlstore.Store, svc *turkmail.Service, log *slog.Logger, reg prometheus.Registerer, wake outbox.Wake) (*outbox.Dispatcher, func() error, error) {
	sender, desc, closeFn, err := f.sender(store)
	if err != nil {
		return nil, nil, err
	}
	var metrics *outbox.Metrics
	if reg != nil {
		metrics = outbox.NewMetrics(reg)
	}
	owner := nodeID()
	d, err := outbox.New(outbox.Config{
		Store: store, Sender: sender, Service: svc,
		From: f.from, PublicURL: f.publicURL, Owner: owner,
		Connections: f.connections, Lease: f.lease, Poll: f.poll,
		Retry: turkmail.Retry{Min: f.retryMin, Max: f.retryMax, Lifetime: f.lifetime},
		Wake:  wake, Log: log, Metrics: metrics,
	})
	if err != nil {
		closeFn()
		return nil, nil, err
	}
	log.Info("dispatcher starting", "mail", desc, "from", f.from, "public_url", f.publicURL, "connections", f.connections,
		"smtp_timeout", f.smtpTimeout, "node", owner, "retry_min", f.retryMin, "retry_max", f.retryMax, "queue_lifetime", f.lifetime)
	return d, closeFn, nil
}

// nodeID names this process in the leases it takes: readable, and unique even for two
// processes with the same host name and pid (containers).
func nodeID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

func newDispatchCommand(g *globals) *cobra.Command {
	var f deliveryFlags
	var untilIdle bool
	cmd := &cobra.Command{
		Use:   "dispatch",
		Short: "Send queued notification emails, without serving the API",
		Long: `Run the delivery dispatcher alone: claim due deliveries, send them, record each result, retry
transient failures with backoff. serve runs the same dispatcher by default; run dispatch for
extra sending capacity beside the API nodes, or with --until-idle to drain the queue once.
SIGINT or SIGTERM stops claiming, lets sends in flight finish, hands the rest back, and exits 0.`,
		Example: `  turkmail dispatch --mail 'smtp://relay.internal:587?tls=starttls' --from notify@example.org
  turkmail dispatch --db postgres://turkmail@db.internal/turkmail --smtp-connections 16
  turkmail dispatch --until-idle`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := g.logger(cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if err := f.check("http://" + envOr(g.getenv, "TURKMAIL_ADDR", "127.0.0.1:8089")); err != nil {
				return err
			}
			return dispatch(cmd.Context(), g, &f, untilIdle, log, cmd)
		},
	}
	f.register(cmd.Flags(), g.getenv)
	cmd.Flags().BoolVar(&untilIdle, "until-idle", false, "exit once nothing is due and nothing is in flight (deferred retries stay queued)")
	return cmd
}

func dispatch(ctx context.Context, g *globals, f *deliveryFlags, untilIdle bool, log *slog.Logger, cmd *cobra.Command) error {
	return g.withService(ctx, func(store *sqlstore.Store, svc *turkmail.Service) error {
		d, closeSender, err := f.dispatcher(store, svc, log, nil, nil)
		if err != nil {
			return err
		}
		defer closeSender()
		start := time.Now()
		if untilIdle {
			err = d.RunUntilIdle(ctx)
		} else {
			err = d.Run(ctx)
		}
		if err != nil {
			return err
		}
		c := d.Counts()
		fmt.Fprintf(cmd.OutOrStdout(), "delivered %d, deferred %d, bounced %d, expired %d, cancelled %d in %s\n",
			c[turkmail.DeliveryDelivered], c[turkmail.DeliveryDeferred], c[turkmail.DeliveryBounced],
			c[turkmail.DeliveryExpired], c[turkmail.DeliveryCancelled], time.Since(start).Round(time.Millisecond))
		return nil
	})
}
