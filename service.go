package turkmail

import (
	"crypto/rand"
	"errors"
	"io"
	"time"
)

// Options configure a Service. Zero values mean the documented defaults.
type Options struct {
	Now       func() time.Time // the clock; time.Now by default
	Random    io.Reader        // id and secret source; crypto/rand by default
	SecretKey []byte           // seals stored secrets when set (TURKMAIL_SECRET_KEY)
	// OnQueued is called after deliveries were committed (NotifyWorkers), so that this
	// node's dispatcher sends them at once instead of at its next poll. Must not block.
	OnQueued func()
	// NotifyWorkers' per-(requester, worker) cap: NotifyCap notifications per
	// NotifyCapWindow (0: the defaults, 10 per 24h; NotifyCap negative: no cap).
	NotifyCap       int
	NotifyCapWindow time.Duration
	// NotifyWorkers' per-requester token bucket: NotifyRate calls per second, bursts of
	// NotifyBurst (0: the defaults, 50/s and 100; NotifyRate negative: no throttling).
	NotifyRate  float64
	NotifyBurst int
}

// Service holds the rules of turkmail. Every API operation and CLI command goes through it;
// it talks to the outside world only through the Store (and, for delivery, the Sender).
type Service struct {
	store  Store
	now    func() time.Time
	ids    idSource
	sealer *Sealer
	tokens tokenKeys
	// onQueued pokes the local dispatcher; see Options.OnQueued.
	onQueued func()
	limiter  *rateLimiter // NotifyWorkers throttling, per requester
	notify   notifyLimits
}

// NewService returns a Service over store.
func NewService(store Store, o Options) (*Service, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	sealer, err := NewSealer(o.SecretKey, o.Random)
	if err != nil {
		return nil, err
	}
	return &Service{store: store, now: o.Now, ids: idSource{r: o.Random}, sealer: sealer, onQueued: o.OnQueued,
		limiter: notifyLimiter(o), notify: notifyLimitsOf(o)}, nil
}

// queued tells the local dispatcher that new deliveries are committed and due. Call it
// after the commit, never before: a dispatcher woken early finds nothing and sleeps a poll.
func (s *Service) queued() {
	if s.onQueued != nil {
		s.onQueued()
	}
}

// Now is the Service's clock, for callers that must agree with it.
func (s *Service) Now() time.Time { return s.now() }

// notFound turns ErrNotFound into a RequestError with msg, and anything else into a fault.
func (s *Service) notFound(err error, format string, args ...any) error {
	if errors.Is(err, ErrNotFound) {
		return Invalid("AWS.MechanicalTurk.ResourceNotFound", format, args...)
	}
	return AsError(err)
}
