package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

// SeedQuestion is a minimal, valid ExternalQuestion for HITs made in tests.
const SeedQuestion = `<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2006-07-14/ExternalQuestion.xsd"><ExternalURL>https://example.org/task</ExternalURL><FrameHeight>400</FrameHeight></ExternalQuestion>`

// SeedHIT creates a one-assignment HIT of requesterID through the Service and returns it.
// The requester must exist.
func SeedHIT(t testing.TB, svc *turkmail.Service, requesterID string, maxAssignments int64) turkmail.HIT {
	t.Helper()
	str := func(s string) *string { return &s }
	num := func(n int64) *int64 { return &n }
	h, err := svc.CreateHIT(context.Background(), requesterID,
		turkmail.NewHITType{Title: str("Seeded task"), Description: str("A HIT made by a test"), Reward: str("0.10"),
			AssignmentDurationInSeconds: num(3600)},
		turkmail.HITParams{LifetimeInSeconds: num(86400), MaxAssignments: num(maxAssignments), Question: str(SeedQuestion)})
	if err != nil {
		t.Fatalf("seed HIT: %v", err)
	}
	return h
}

// SeedReviewedWorker registers workerID with email (if new; an existing worker keeps its
// address unless email differs) and makes it eligible for requesterID's notifications the
// real way: a HIT of requesterID is created, the worker accepts and submits it, and the
// requester approves (approve) or rejects it, all through the Service. The requester must
// exist; s is the Service's store, on which the result is checked.
func SeedReviewedWorker(t testing.TB, s *sqlstore.Store, svc *turkmail.Service, requesterID, workerID, email string, approve bool) {
	t.Helper()
	ctx := context.Background()
	if _, _, err := svc.AddWorker(ctx, workerID, email, ""); err != nil {
		t.Fatalf("seed worker %s: %v", workerID, err)
	}
	h := SeedHIT(t, svc, requesterID, 1)
	a, err := svc.AcceptAssignment(ctx, h.ID, workerID)
	if err != nil {
		t.Fatalf("seed accept: %v", err)
	}
	if _, err := svc.SubmitAssignment(ctx, a.ID, ""); err != nil {
		t.Fatalf("seed submit: %v", err)
	}
	if approve {
		err = svc.ApproveAssignment(ctx, requesterID, a.ID, nil, false)
	} else {
		feedback := "Seeded rejection"
		err = svc.RejectAssignment(ctx, requesterID, a.ID, &feedback)
	}
	if err != nil {
		t.Fatalf("seed review: %v", err)
	}
	if ok, err := s.ReviewedWorkers(ctx, requesterID, []string{workerID}); err != nil || !ok[workerID] {
		t.Fatalf("seed: worker %s is not eligible for %s after the review (%v)", workerID, requesterID, err)
	}
}

// WorkHistory bulk-loads a synthetic work history of n assignments, for benchmarks: 100
// requesters, n/10 HITs of 10 assignments, n/20 workers (at least 1,000) picked
// pseudo-randomly; a third each Submitted, Approved and Rejected, with reviewed_workers
// rows for the reviewed pairs exactly as the Service would have written them. It returns
// the requester and worker ids. Rows go straight in (multi-row INSERTs in one transaction):
// 10^6 assignments through the Service would take far too long.
func (s *Seeder) WorkHistory(n int) (requesterIDs, workerIDs []string) {
	s.t.Helper()
	const requesters, perHIT = 100, 10
	now := int64(1796000000000)
	for i := range requesters {
		id := fmt.Sprintf("AREQ%05d", i)
		requesterIDs = append(requesterIDs, id)
		s.exec(`INSERT INTO requesters (id, name, contact_email, balance_cents, created_at) VALUES ($1, $2, '', 0, $3)`, id, id, now)
		s.exec(`INSERT INTO hit_types (id, requester_id, fingerprint, title, description, reward, assignment_duration_seconds,
			auto_approval_delay_seconds, created_at) VALUES ($1, $2, 'f', 't', 'd', '0.10', 3600, 86400, $3)`, "3T"+id, id, now)
	}
	nWorkers := max(n/20, 1000)
	rows := make([][]any, nWorkers)
	for i := range nWorkers {
		id := fmt.Sprintf("AW%08d", i)
		workerIDs = append(workerIDs, id)
		rows[i] = []any{id, strings.ToLower(id) + "@example.org", now}
	}
	s.bulk(`INSERT INTO workers (id, email, created_at) VALUES `, rows)
	nHITs := (n + perHIT - 1) / perHIT
	rows = make([][]any, nHITs)
	for h := range nHITs {
		r := requesterIDs[h%requesters]
		rows[h] = []any{fmt.Sprintf("3H%012d", h), r, "3T" + r, "3T" + r, "<q/>", perHIT, now + 86400000, now}
	}
	s.bulk(`INSERT INTO hits (id, requester_id, hit_type_id, hit_group_id, question, max_assignments, expires_at, created_at) VALUES `, rows)
	rows = make([][]any, 0, n)
	type pair struct{ r, w string }
	reviewed := map[pair]bool{}
	x := uint64(88172645463325252) // xorshift: the same history every run
	for i := range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		h := i / perHIT
		r, w := requesterIDs[h%requesters], workerIDs[x%uint64(nWorkers)]
		status := []string{turkmail.StatusSubmitted, turkmail.StatusApproved, turkmail.StatusRejected}[i%3]
		at := now + int64(i)
		var approved, rejected any
		switch status {
		case turkmail.StatusApproved:
			approved = at
		case turkmail.StatusRejected:
			rejected = at
		}
		if status != turkmail.StatusSubmitted {
			reviewed[pair{r, w}] = true
		}
		rows = append(rows, []any{fmt.Sprintf("3A%012d", i), fmt.Sprintf("3H%012d", h), r, w, status, at, at + 3600000, at,
			at + 86400000, approved, rejected})
	}
	// A worker appears at most once per HIT (UNIQUE (hit_id, worker_id)): skip repeats.
	seen := map[[2]any]bool{}
	kept := rows[:0]
	for _, row := range rows {
		k := [2]any{row[1], row[3]}
		if !seen[k] {
			seen[k] = true
			kept = append(kept, row)
		}
	}
	s.bulk(`INSERT INTO assignments (id, hit_id, requester_id, worker_id, status, accepted_at, deadline_at, submitted_at,
		auto_approve_at, approved_at, rejected_at) VALUES `, kept)
	rows = rows[:0:0]
	for p := range reviewed {
		rows = append(rows, []any{p.r, p.w, now})
	}
	s.bulk(`INSERT INTO reviewed_workers (requester_id, worker_id, first_at) VALUES `, rows)
	s.exec(`ANALYZE`)
	// SQLite: fold the seeding's write-ahead log into the database, as the regular
	// checkpoints of a running server would have. Readers of a huge un-checkpointed WAL
	// search its index per page, which would measure the seeding, not the query.
	var version string
	if s.db.QueryRowContext(context.Background(), `SELECT sqlite_version()`).Scan(&version) == nil {
		s.exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
	}
	return requesterIDs, workerIDs
}
