package turkmail

import "context"

// Store is turkmail's persistence. sqlstore implements it for SQLite and PostgreSQL, and
// storetest holds the one conformance suite both must pass. Methods return ErrNotFound,
// ErrConflict or ErrDuplicate (possibly wrapped) for the cases the rules care about.
type Store interface {
	RequesterStore
	WorkerStore
	HITStore
	AssignmentStore
	BlockStore
	NotifyStore
	OptOutStore
	DeliveryStatusStore
	// ServerKey returns the per-deployment key stored under name, storing candidate first
	// if there is none.
	ServerKey(ctx context.Context, name string, candidate string) (string, error)
	Ping(ctx context.Context) error
	Close() error
}

// RequesterStore keeps requesters and their access keys.
type RequesterStore interface {
	CreateRequester(ctx context.Context, r Requester, key AccessKey) error
	Requester(ctx context.Context, id string) (Requester, error)
	ListRequesters(ctx context.Context) ([]Requester, error)
	// AccessKey returns an active key.
	AccessKey(ctx context.Context, id string) (AccessKey, error)
	// ReplaceAccessKey makes key the requester's only active key.
	ReplaceAccessKey(ctx context.Context, requesterID string, key AccessKey) error
}
