package main

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/turkmail/turkmail"
)

// notifyFlags are serve's NotifyWorkers settings (docs/notify-workers.md).
type notifyFlags struct {
	cap   string  // COUNT/DURATION or off
	rate  float64 // calls per second per requester; 0 turns throttling off
	burst int
}

func (f *notifyFlags) register(fs *pflag.FlagSet, getenv func(string) string) {
	fs.StringVar(&f.cap, "notify-cap", envOr(getenv, "TURKMAIL_NOTIFY_CAP", "10/24h"),
		"most notifications one requester may send one worker per sliding window, COUNT/DURATION, or off (env TURKMAIL_NOTIFY_CAP)")
	fs.Float64Var(&f.rate, "rate", envFloat(getenv, "TURKMAIL_RATE", turkmail.DefaultNotifyRate),
		"NotifyWorkers calls per second per requester on this node; 0 turns throttling off (env TURKMAIL_RATE)")
	fs.IntVar(&f.burst, "burst", envInt(getenv, "TURKMAIL_BURST", turkmail.DefaultNotifyBurst),
		"NotifyWorkers calls a requester may make at once before --rate applies (env TURKMAIL_BURST)")
}

// apply puts the flags into the Service's options.
func (f *notifyFlags) apply(o *turkmail.Options) error {
	n, window, err := turkmail.ParseNotifyCap(f.cap)
	if err != nil {
		return fmt.Errorf("--notify-cap: %w", err)
	}
	if f.rate < 0 || f.burst < 1 {
		return fmt.Errorf("--rate must be at least 0 and --burst at least 1 (got %g and %d)", f.rate, f.burst)
	}
	o.NotifyCap, o.NotifyCapWindow, o.NotifyRate, o.NotifyBurst = n, window, f.rate, f.burst
	if f.rate == 0 {
		o.NotifyRate = -1 // the Service reads 0 as "the default"
	}
	return nil
}

// envFloat and envInt read a numeric default from the environment; a malformed value is
// ignored here and shows up as the flag's default in --help.
func envFloat(getenv func(string) string, key string, def float64) float64 {
	if v, err := strconv.ParseFloat(getenv(key), 64); err == nil {
		return v
	}
	return def
}

func envInt(getenv func(string) string, key string, def int) int {
	if v, err := strconv.Atoi(getenv(key)); err == nil {
		return v
	}
	return def
}

// startInvocationPurge deletes idempotency records past their 24 hours every interval. A
// replay never reads a stale record anyway; this only keeps the table small. Safe on
// every node at once.
func startInvocationPurge(ctx context.Context, svc *turkmail.Service, every time.Duration, log *slog.Logger) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := svc.PurgeInvocations(ctx); err != nil {
					log.Warn("purging old invocation records failed", "error", err)
				} else if n > 0 {
					log.Debug("purged old invocation records", "count", n)
				}
			}
		}
	}()
}
