package outbox

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/turkmail/turkmail"
)

// Defaults for the zero values of Config.
const (
	DefaultConnections = 4
	DefaultLease       = 2 * time.Minute
	DefaultPoll        = time.Second
	DefaultGrace       = 30 * time.Second
	MinBatch           = 32
)

// Config is what a Dispatcher needs. Store, Sender, Service, From, PublicURL and Owner are
// required; zero values elsewhere take the defaults.
type Config struct {
	Store   turkmail.DeliveryStore
	Sender  turkmail.Sender
	Service *turkmail.Service // signs the unsubscribe link of each email
	// From is the operator's address: the envelope sender, and the From header beside
	// the requester's display name.
	From string
	// PublicURL is where workers reach this deployment; links are <PublicURL>/unsubscribe/<token>.
	PublicURL string
	// Owner names this dispatcher in the leases it takes; unique per process.
	Owner string
	// Connections is how many sends run at once; give the SMTP sender as many connections.
	Connections int
	// Batch is the most rows one claim takes; default 2×Connections, at least MinBatch:
	// each claim is a write transaction (an fsync on SQLite), so tiny claims cap the rate.
	// Up to 2×Batch rows are in hand at once, so that the next claim overlaps the sends of
	// the last; keep 2×Batch/Connections sends well inside the lease.
	Batch int
	// Lease is how long a claimed row is ours; past it another dispatcher may send it.
	Lease time.Duration
	// Poll is how often to look for due rows when not woken: retries, and work queued
	// on other nodes.
	Poll  time.Duration
	Retry turkmail.Retry // zero: turkmail.DefaultRetry()
	// Grace is how long sends in flight may finish after ctx is cancelled.
	Grace  time.Duration
	Now    func() time.Time // default time.Now
	Jitter func() float64   // in [0,1); default math/rand/v2
	Wake   Wake             // may be nil: the dispatcher then polls only
	Log    *slog.Logger     // default discards
	// Metrics may be nil.
	Metrics *Metrics
}

// Dispatcher drains the outbox. Run it once per process; several processes (nodes) on one
// PostgreSQL share the work through their leases.
type Dispatcher struct {
	c        Config
	capacity int

	mu       sync.Mutex
	inflight int           // claimed, not yet recorded
	freed    chan struct{} // poked when inflight goes down

	counts [7]atomic.Int64 // recorded results by state, see Counts
}

// New checks c and returns a Dispatcher.
func New(c Config) (*Dispatcher, error) {
	switch {
	case c.Store == nil || c.Sender == nil || c.Service == nil:
		return nil, errors.New("outbox: Store, Sender and Service are required")
	case c.From == "":
		return nil, errors.New("outbox: From address is required")
	case c.PublicURL == "":
		return nil, errors.New("outbox: PublicURL is required")
	case c.Owner == "":
		return nil, errors.New("outbox: Owner is required")
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.Connections <= 0 {
		c.Connections = DefaultConnections
	}
	if c.Batch <= 0 {
		c.Batch = max(2*c.Connections, MinBatch)
	}
	if c.Lease <= 0 {
		c.Lease = DefaultLease
	}
	if c.Poll <= 0 {
		c.Poll = DefaultPoll
	}
	if c.Retry == (turkmail.Retry{}) {
		c.Retry = turkmail.DefaultRetry()
	}
	if c.Retry.Min <= 0 || c.Retry.Max < c.Retry.Min || c.Retry.Lifetime <= 0 {
		return nil, errors.New("outbox: retry needs 0 < min ≤ max and a positive lifetime")
	}
	if c.Grace <= 0 {
		c.Grace = DefaultGrace
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return &Dispatcher{c: c, capacity: 2 * c.Batch, freed: make(chan struct{}, 1)}, nil
}

// Run dispatches until ctx is cancelled, then stops claiming, lets sends in flight finish
// (for up to Grace), hands back claimed rows not yet tried, records every result and
// returns nil.
func (d *Dispatcher) Run(ctx context.Context) error { return d.run(ctx, false) }

// RunUntilIdle dispatches until nothing is due and nothing is in flight, or ctx is
// cancelled. Deliveries deferred to a later time are left for later.
func (d *Dispatcher) RunUntilIdle(ctx context.Context) error { return d.run(ctx, true) }

// Counts returns the results this dispatcher recorded so far, by state (queued counts
// claims handed back untried).
func (d *Dispatcher) Counts() map[turkmail.DeliveryState]int {
	out := map[turkmail.DeliveryState]int{}
	for i, st := range stateOrder() {
		if n := d.counts[i].Load(); n > 0 {
			out[st] = int(n)
		}
	}
	return out
}

// stateOrder is the order of Dispatcher.counts.
func stateOrder() [7]turkmail.DeliveryState {
	return [7]turkmail.DeliveryState{
		turkmail.DeliveryDelivered, turkmail.DeliveryDeferred, turkmail.DeliveryBounced,
		turkmail.DeliveryExpired, turkmail.DeliveryCancelled, turkmail.DeliveryQueued, turkmail.DeliverySending,
	}
}

func (d *Dispatcher) run(ctx context.Context, untilIdle bool) error {
	jobs := make(chan turkmail.Outgoing, d.capacity)
	results := make(chan turkmail.DeliveryResult, d.capacity)

	// Sends run on a context that outlives ctx by Grace: a cancelled SMTP transaction
	// would leave the message's fate unknown and cost a duplicate later.
	sendCtx, cancelSends := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelSends()
	stopGrace := context.AfterFunc(ctx, func() {
		t := time.NewTimer(d.c.Grace)
		defer t.Stop()
		select {
		case <-t.C:
			cancelSends()
		case <-sendCtx.Done():
		}
	})
	defer stopGrace()

	var senders sync.WaitGroup
	for range d.c.Connections {
		senders.Go(func() {
			for o := range jobs {
				results <- d.attempt(ctx, sendCtx, o)
			}
		})
	}
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		d.record(ctx, results)
	}()

	d.claimLoop(ctx, jobs, untilIdle)
	close(jobs)
	senders.Wait()
	cancelSends()
	close(results)
	<-recorded
	return nil
}

// claimLoop claims due rows into jobs while there is room, and otherwise waits to be woken,
// for room, or for the poll interval.
func (d *Dispatcher) claimLoop(ctx context.Context, jobs chan<- turkmail.Outgoing, untilIdle bool) {
	for ctx.Err() == nil {
		inflight := d.inFlight()
		free := d.capacity - inflight
		// Claim a full batch or nothing while sends are in hand: many small claims are
		// many write transactions, and SQLite has one writer.
		if free < d.c.Batch && inflight > 0 {
			d.wait(ctx, d.freed, nil, nil)
			continue
		}
		want := min(free, d.c.Batch)
		claimed, err := d.c.Store.ClaimDeliveries(ctx, d.c.Owner, d.c.Now(), d.c.Lease, want)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			d.c.Log.Warn("claiming deliveries failed; retrying at the next poll", "error", err)
			d.wait(ctx, nil, time.After(d.c.Poll), nil)
			continue
		}
		d.add(len(claimed))
		for _, o := range claimed {
			jobs <- o // never blocks: jobs holds capacity rows and inflight ≤ capacity
		}
		if len(claimed) > 0 {
			// More may be due: a short claim on PostgreSQL may only mean that another
			// node's claim held some rows at that instant (SKIP LOCKED).
			continue
		}
		if untilIdle {
			if d.inFlight() == 0 {
				return
			}
			// Results may make more rows due (a release); look again when they are in.
			d.wait(ctx, d.freed, nil, nil)
			continue
		}
		// Room alone is no reason to claim when the queue was found empty: wait for work.
		d.wait(ctx, nil, time.After(d.c.Poll), d.c.Wake)
	}
}

// wait returns on the first of ctx and the channels; nil channels never fire.
func (d *Dispatcher) wait(ctx context.Context, freed <-chan struct{}, timer <-chan time.Time, wake <-chan struct{}) {
	select {
	case <-ctx.Done():
	case <-freed:
	case <-timer:
	case <-wake:
	}
}

func (d *Dispatcher) inFlight() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.inflight
}

func (d *Dispatcher) add(n int) {
	d.mu.Lock()
	d.inflight += n
	d.mu.Unlock()
}

func (d *Dispatcher) done(n int) {
	d.mu.Lock()
	d.inflight -= n
	d.mu.Unlock()
	select {
	case d.freed <- struct{}{}:
	default:
	}
}
