package turkmail

import (
	"context"
	"errors"
)

// The demo requester's fixed credentials (serve --demo). They are public: a demo database
// must never hold real work.
const (
	DemoRequesterID     = "ADEMOREQUESTER1"
	DemoAccessKeyID     = "AKIADEMOTURKMAIL0001"
	DemoSecretAccessKey = "turkmailDemoSecretAccessKeyNOTFORPROD001"
)

// DemoWorker is one of the demo's workers and what it did.
type DemoWorker struct {
	ID, Email, History string
}

// DemoWorkers are the demo's four workers: one approved, one rejected, one submitted but
// not reviewed, one with no work. Only the first two may be notified.
func DemoWorkers() []DemoWorker {
	return []DemoWorker{
		{"ADEMOAPPROVED1", "approved@example.org", StatusApproved},
		{"ADEMOREJECTED1", "rejected@example.org", StatusRejected},
		{"ADEMOSUBMITTED1", "submitted@example.org", StatusSubmitted},
		{"ADEMONOWORK1", "nowork@example.org", "no work"},
	}
}

// SeedDemo fills an empty database with the demo: a requester with the fixed credentials,
// one HIT, and the four DemoWorkers with their history, made through the same rules as
// real work. On a database that has any requester it does nothing and returns false.
func (s *Service) SeedDemo(ctx context.Context) (seeded bool, hitID string, err error) {
	rs, err := s.store.ListRequesters(ctx)
	if err != nil {
		return false, "", Fault(err)
	}
	if len(rs) > 0 {
		return false, "", nil
	}
	sealed, err := s.sealer.Seal(DemoSecretAccessKey)
	if err != nil {
		return false, "", Fault(err)
	}
	now := s.clock()
	r := Requester{ID: DemoRequesterID, Name: "Demo Lab", ContactEmail: "lab@example.org", BalanceCents: 1000000, CreatedAt: now}
	key := AccessKey{ID: DemoAccessKeyID, RequesterID: r.ID, Secret: sealed, CreatedAt: now}
	if err := s.store.CreateRequester(ctx, r, key); err != nil {
		if errors.Is(err, ErrDuplicate) { // another node seeded it first
			return false, "", nil
		}
		return false, "", Fault(err)
	}
	str := func(v string) *string { return &v }
	num := func(v int64) *int64 { return &v }
	h, err := s.CreateHIT(ctx, r.ID,
		NewHITType{Title: str("Describe the photo"), Description: str("Write one sentence about what the photo shows."),
			Keywords: str("demo, photo"), Reward: str("0.10"), AssignmentDurationInSeconds: num(3600)},
		HITParams{LifetimeInSeconds: num(7 * 24 * 3600), MaxAssignments: num(4),
			Question: str(`<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/demo-task</ExternalURL><FrameHeight>400</FrameHeight></ExternalQuestion>`)})
	if err != nil {
		return false, "", err
	}
	for _, w := range DemoWorkers() {
		if _, _, err := s.AddWorker(ctx, w.ID, w.Email, ""); err != nil {
			return false, "", err
		}
		if w.History == "no work" {
			continue
		}
		a, err := s.AcceptAssignment(ctx, h.ID, w.ID)
		if err != nil {
			return false, "", err
		}
		if _, err := s.SubmitAssignment(ctx, a.ID, ""); err != nil {
			return false, "", err
		}
		switch w.History {
		case StatusApproved:
			err = s.ApproveAssignment(ctx, r.ID, a.ID, str("Thank you!"), false)
		case StatusRejected:
			err = s.RejectAssignment(ctx, r.ID, a.ID, str("The sentence does not describe the photo."))
		}
		if err != nil {
			return false, "", err
		}
	}
	return true, h.ID, nil
}
