package turkmail

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Worker is a person who accepts and submits assignments, and who may receive notifications.
// Email is private: it never appears in a requester-facing response, error or log line.
type Worker struct {
	ID        string
	Email     string
	Name      string
	CreatedAt time.Time
}

// WorkerStore keeps workers and the eligibility fact NotifyWorkers depends on.
type WorkerStore interface {
	// PutWorker inserts w, or updates the email and name of an existing worker (keeping its
	// CreatedAt). changed is false when the stored row already held exactly these values,
	// so that importing the same file twice changes nothing.
	PutWorker(ctx context.Context, w Worker) (changed bool, err error)
	Worker(ctx context.Context, id string) (Worker, error)
	// ListWorkers returns up to limit workers with ids after `after`, in id order.
	ListWorkers(ctx context.Context, after string, limit int) ([]Worker, error)
	// ReviewedWorkers answers, with one indexed query, which of workerIDs (at most 100)
	// have at least one assignment of requesterID's HITs Approved or Rejected. Ids absent
	// from the map are not eligible.
	ReviewedWorkers(ctx context.Context, requesterID string, workerIDs []string) (map[string]bool, error)
}

// MaxWorkerIDLength is the longest worker id MTurk's API accepts (CustomerId: 1–64).
const MaxWorkerIDLength = 64

// ValidWorkerID tells whether id has MTurk's worker id shape: ^A[A-Z0-9]+$, at most 64.
func ValidWorkerID(id string) bool {
	if len(id) < 2 || len(id) > MaxWorkerIDLength || id[0] != 'A' {
		return false
	}
	for i := 1; i < len(id); i++ {
		c := id[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// checkWorker validates and normalises a worker's fields. The address is parsed as an RFC
// 5322 address; a display name in it ("Ann <ann@example.org>") becomes the name when none
// is given.
func checkWorker(id, email, name string) (Worker, error) {
	id = strings.TrimSpace(id)
	if !ValidWorkerID(id) {
		return Worker{}, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
			"Worker id %q is not valid: it must match ^A[A-Z0-9]+$ and be 2 to %d characters.", clip(id, 80), MaxWorkerIDLength)
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(email))
	if err != nil {
		return Worker{}, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
			"Email %q of worker %s is not a valid email address (%v).", clip(email, 200), id, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = addr.Name
	}
	if n := utf8.RuneCountInString(name); n > 100 || strings.ContainsFunc(name, isControl) {
		return Worker{}, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
			"Name of worker %s must be at most 100 characters without control characters.", id)
	}
	return Worker{ID: id, Email: addr.Address, Name: name}, nil
}

// AddWorker registers a worker, or updates the address and name of a known one. changed is
// false when nothing differed.
func (s *Service) AddWorker(ctx context.Context, id, email, name string) (w Worker, changed bool, err error) {
	w, err = checkWorker(id, email, name)
	if err != nil {
		return Worker{}, false, err
	}
	w.CreatedAt = s.clock()
	changed, err = s.store.PutWorker(ctx, w)
	if err != nil {
		return Worker{}, false, Fault(err)
	}
	return w, changed, nil
}

// Worker returns one worker (operator use: it includes the address).
func (s *Service) Worker(ctx context.Context, id string) (Worker, error) {
	w, err := s.store.Worker(ctx, id)
	if err != nil {
		return Worker{}, s.notFound(err, "Worker %s does not exist.", clip(id, 80))
	}
	return w, nil
}

// Workers returns every worker in id order, reading the table in pages.
func (s *Service) Workers(ctx context.Context) ([]Worker, error) {
	var out []Worker
	after := ""
	for {
		page, err := s.store.ListWorkers(ctx, after, 500)
		if err != nil {
			return nil, Fault(err)
		}
		out = append(out, page...)
		if len(page) < 500 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// ImportProblem is one line of an import file that was not imported.
type ImportProblem struct {
	Line   int
	Reason string
}

// ImportResult reports what an import did.
type ImportResult struct {
	Added, Updated, Unchanged int
	Problems                  []ImportProblem
}

// ImportWorkers reads CSV with a header row naming WorkerId and Email (and optionally Name),
// in any order and any case. Every good line is stored; every bad one is reported with its
// line number and reason. Re-importing the same file changes nothing. Only an unreadable
// header or a database failure is an error.
func (s *Service) ImportWorkers(ctx context.Context, r io.Reader) (ImportResult, error) {
	var res ImportResult
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return res, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "The file has no readable header line (want WorkerId,Email[,Name]): %v.", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idCol, okID := col["workerid"]
	emailCol, okEmail := col["email"]
	nameCol, okName := col["name"]
	if !okID || !okEmail {
		return res, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "The header line must name the columns WorkerId and Email (and optionally Name); got %q.", strings.Join(header, ","))
	}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			}
			res.Problems = append(res.Problems, ImportProblem{Line: line, Reason: fmt.Sprintf("not valid CSV: %v", unwrapCSV(err))})
			continue
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		field := func(i int) string {
			if i < len(rec) {
				return rec[i]
			}
			return ""
		}
		name := ""
		if okName {
			name = field(nameCol)
		}
		w, err := checkWorker(field(idCol), field(emailCol), name)
		if err != nil {
			res.Problems = append(res.Problems, ImportProblem{Line: line, Reason: AsError(err).Message})
			continue
		}
		if first, dup := seen[w.ID]; dup {
			res.Problems = append(res.Problems, ImportProblem{Line: line, Reason: fmt.Sprintf("worker %s already appears on line %d", w.ID, first)})
			continue
		}
		seen[w.ID] = line
		_, existsErr := s.store.Worker(ctx, w.ID)
		w.CreatedAt = s.clock()
		changed, err := s.store.PutWorker(ctx, w)
		if err != nil {
			return res, Fault(err)
		}
		switch {
		case !changed:
			res.Unchanged++
		case errors.Is(existsErr, ErrNotFound):
			res.Added++
		default:
			res.Updated++
		}
	}
}

func unwrapCSV(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// clip shortens s for an error message, keeping it valid UTF-8.
func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
