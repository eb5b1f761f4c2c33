package main

import (
	"encoding/json"

	"github.com/spf13/cobra"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequesterCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	out, _, err := run(t, db, "requester", "create", "--name", "Vision Lab", "--contact", "lab@example.org", "--balance", "250.5", "--json")
	var c struct{ RequesterId, AccessKeyId, SecretAccessKey string }
	if err != nil || json.Unmarshal([]byte(out), &c) != nil || !strings.HasPrefix(c.AccessKeyId, "AKIA") || len(c.SecretAccessKey) != 40 {
		t.Fatalf("create: %q %v", out, err)
	}
	out, _, err = run(t, db, "requester", "list")
	if err != nil || !strings.Contains(out, c.RequesterId) || !strings.Contains(out, "250.50") || strings.Contains(out, c.SecretAccessKey) {
		t.Fatalf("list: %q %v (the secret must never be listed)", out, err)
	}
	out, _, err = run(t, db, "requester", "rotate-key", c.RequesterId)
	if err != nil || !strings.Contains(out, "SecretAccessKey: ") || strings.Contains(out, c.SecretAccessKey) {
		t.Fatalf("rotate-key: %q %v", out, err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"requester", "create"}, `"name" not set`},
		{[]string{"requester", "create", "--name", "X", "--balance", "1.234"}, "--balance"},
		{[]string{"requester", "create", "--name", "X", "--contact", "nope"}, "not a valid email address"},
		{[]string{"requester", "rotate-key", "ANOSUCHREQUESTER"}, "does not exist"},
	} {
		if _, _, err := run(t, db, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
	if out, _, err := run(t, db, "migrate"); err != nil || out != "database is up to date\n" {
		t.Fatalf("migrate: %q %v", out, err)
	}
}

// Every command explains itself: --help works and the leaf commands carry examples.
func TestEveryCommandHasHelpAndExamples(t *testing.T) {
	root := newRootCommand(func(string) string { return "" })
	for _, c := range root.Commands() {
		stack := []*cobra.Command{c}
		for len(stack) > 0 {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			stack = append(stack, c.Commands()...)
			if c.Name() == "help" || c.Name() == "completion" {
				continue
			}
			if c.Short == "" {
				t.Errorf("%s has no Short description", c.CommandPath())
			}
			if !c.HasSubCommands() && c.Example == "" {
				t.Errorf("%s has no Example", c.CommandPath())
			}
		}
	}
}
