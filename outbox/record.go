package outbox

import (
	"context"
	"time"

	"github.com/turkmail/turkmail"
)

// maxRecord bounds one result transaction; larger batches gain little and hold the
// writer (SQLite's only one) longer.
const maxRecord = 512

// record writes results as they come, each write taking everything that arrived while
// the previous one ran: under load batches grow by themselves, idle they are single rows
// written at once. It returns when results is closed and everything is written.
func (d *Dispatcher) record(ctx context.Context, results <-chan turkmail.DeliveryResult) {
	buf := make([]turkmail.DeliveryResult, 0, maxRecord)
	for r := range results {
		buf = append(buf[:0], r)
	more:
		for len(buf) < maxRecord {
			select {
			case r, ok := <-results:
				if !ok {
					break more
				}
				buf = append(buf, r)
			default:
				break more
			}
		}
		d.write(ctx, buf)
		d.done(len(buf))
	}
}

// write records one batch, retrying while the store fails. After ctx is cancelled it tries
// a little longer and then gives up: the rows keep their lease, which runs out, and they
// are sent again — at least once, never lost.
func (d *Dispatcher) write(ctx context.Context, batch []turkmail.DeliveryResult) {
	keep := batch[:0:0]
	for _, r := range batch {
		if r.State == abandoned {
			continue
		}
		keep = append(keep, r)
	}
	if len(keep) == 0 {
		return
	}
	wctx := context.WithoutCancel(ctx)
	var giveUp time.Time
	for try := 0; ; try++ {
		attemptCtx, cancel := context.WithTimeout(wctx, 30*time.Second)
		applied, err := d.c.Store.RecordDeliveries(attemptCtx, d.c.Owner, d.c.Now(), keep)
		cancel()
		if err == nil {
			d.tally(keep, applied)
			return
		}
		if ctx.Err() != nil {
			if giveUp.IsZero() {
				giveUp = time.Now().Add(d.c.Grace)
			}
			if time.Now().After(giveUp) {
				d.c.Log.Error("recording delivery results failed at shutdown; their leases will run out and they will be sent again",
					"deliveries", len(keep), "error", err)
				return
			}
		}
		d.c.Log.Warn("recording delivery results failed; retrying", "deliveries", len(keep), "error", err)
		time.Sleep(min(time.Duration(try+1)*100*time.Millisecond, 2*time.Second))
	}
}

func (d *Dispatcher) tally(batch []turkmail.DeliveryResult, applied int) {
	order := stateOrder()
	var by [len(order)]int
	for _, r := range batch {
		for i, s := range order {
			if s == r.State {
				by[i]++
				d.counts[i].Add(1)
			}
		}
		if r.State != turkmail.DeliveryDelivered {
			d.c.Log.Debug("delivery attempt", "delivery", r.ID, "result", string(r.State), "code", r.Code,
				"enhanced", r.Enhanced, "text", r.Text)
		}
	}
	for i, n := range by {
		d.c.Metrics.recorded(order[i], n)
	}
	if lost := len(batch) - applied; lost > 0 {
		d.c.Metrics.lost(lost)
		d.c.Log.Warn("delivery results not recorded: another dispatcher took the rows over after our lease ran out",
			"deliveries", lost)
	}
}
