package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/turkmail/turkmail"
)

// run executes the turkmail command line against db and returns stdout, stderr and the error.
func run(t *testing.T, db string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCommand(func(string) string { return "" })
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(append(args, "--db", db))
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errb.String(), err
}

func TestWorkerCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "t.db")
	csv := filepath.Join(dir, "panel.csv")
	os.WriteFile(csv, []byte("WorkerId,Email,Name\nAONE,one@example.org,One\nnope,x@example.org,\nATWO,two@,\n"), 0o600)

	out, stderr, err := run(t, db, "worker", "import", csv)
	if err == nil || !strings.Contains(out, "1 added, 0 updated, 0 unchanged, 2 skipped") ||
		!strings.Contains(stderr, "panel.csv:3: Worker id \"nope\"") || !strings.Contains(stderr, "panel.csv:4: ") {
		t.Fatalf("import: %q %q %v", out, stderr, err)
	}
	if out, _, _ := run(t, db, "worker", "import", csv); !strings.Contains(out, "0 added, 0 updated, 1 unchanged") {
		t.Fatalf("re-import: %q", out)
	}
	if out, _, err := run(t, db, "worker", "add", "--id", "ATHREE", "--email", "Three <three@example.org>"); err != nil || out != "worker ATHREE saved\n" {
		t.Fatalf("add: %q %v", out, err)
	}
	if _, _, err := run(t, db, "worker", "add", "--id", "AFOUR", "--email", "four"); err == nil || !strings.Contains(err.Error(), "not a valid email address") {
		t.Fatalf("add a bad address: %v", err)
	}
	out, _, err = run(t, db, "worker", "list")
	if err != nil || !strings.Contains(out, "AONE") || !strings.Contains(out, "three@example.org") {
		t.Fatalf("list: %q %v", out, err)
	}
	if out, _, err := run(t, db, "worker", "show", "ATHREE"); err != nil || !strings.Contains(out, `"Name": "Three"`) {
		t.Fatalf("show: %q %v", out, err)
	}
}

// The demo seeds once, and the worker side works on it from the command line.
func TestDemoAndAssignmentCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	g := &globals{getenv: func(string) string { return "" }, db: db}
	ctx := context.Background()
	store, svc, err := g.open(ctx, turkmail.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var first, second bytes.Buffer
	if err := seedDemo(ctx, svc, &first); err != nil {
		t.Fatal(err)
	}
	if err := seedDemo(ctx, svc, &second); err != nil {
		t.Fatal(err)
	}
	store.Close()
	if !strings.Contains(first.String(), "AKIADEMOTURKMAIL0001") || strings.Contains(first.String(), "nothing seeded") ||
		!strings.Contains(second.String(), "nothing seeded") {
		t.Fatalf("demo output:\n%s\n---\n%s", first.String(), second.String())
	}
	out, _, err := run(t, db, "hit", "list", "--requester", "ADEMOREQUESTER1", "--json")
	if err != nil || strings.Count(out, `"HITId"`) != 1 {
		t.Fatalf("hit list: %q %v", out, err)
	}
	hitID := strings.SplitN(strings.SplitN(out, `"HITId":"`, 2)[1], `"`, 2)[0]
	id, _, err := run(t, db, "assignment", "accept", "--hit", hitID, "--worker", "ADEMONOWORK1")
	if err != nil || len(strings.TrimSpace(id)) != 30 {
		t.Fatalf("accept: %q %v", id, err)
	}
	if _, _, err := run(t, db, "assignment", "accept", "--hit", hitID, "--worker", "ADEMONOWORK1"); err == nil {
		t.Fatal("accepting twice succeeded")
	}
	if out, _, err := run(t, db, "assignment", "submit", "--assignment", strings.TrimSpace(id)); err != nil || !strings.Contains(out, "submitted") {
		t.Fatalf("submit: %q %v", out, err)
	}
	if _, _, err := run(t, db, "assignment", "submit", "--assignment", strings.TrimSpace(id)); err == nil || !strings.Contains(err.Error(), "already submitted") {
		t.Fatalf("submit twice: %v", err)
	}
}
