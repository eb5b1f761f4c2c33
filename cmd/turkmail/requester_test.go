package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
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

// The binary and its command groups show examples in --help too, not only the leaf
// commands: a user who types "turkmail worker --help" sees how the group is used.
func TestGroupHelpShowsExamples(t *testing.T) {
	groups := [][]string{{"--help"}}
	for _, c := range newRootCommand(func(string) string { return "" }).Commands() {
		if c.HasSubCommands() && c.Name() != "completion" {
			groups = append(groups, []string{c.Name(), "--help"})
		}
	}
	for _, args := range groups {
		cmd := newRootCommand(func(string) string { return "" })
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(args)
		if err := cmd.Execute(); err != nil {
			t.Fatalf("turkmail %v: %v", args, err)
		}
		if !strings.Contains(out.String(), "Examples:\n  turkmail ") {
			t.Errorf("turkmail %v shows no examples:\n%s", args, out.String())
		}
	}
}

// Every command explains itself: a short description and, for the leaf commands, examples.
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
