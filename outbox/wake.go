package outbox

// Wake carries "new deliveries are due" from the Service (Options.OnQueued) to the
// dispatcher on the same node, so that it claims them at once rather than at its next poll.
// Pokes while one is pending merge: the dispatcher claims everything due anyway. Other
// nodes' dispatchers find the work at their next poll.
type Wake chan struct{}

// NewWake returns a Wake for one dispatcher.
func NewWake() Wake { return make(Wake, 1) }

// Poke wakes the dispatcher; it never blocks.
func (w Wake) Poke() {
	select {
	case w <- struct{}{}:
	default:
	}
}
