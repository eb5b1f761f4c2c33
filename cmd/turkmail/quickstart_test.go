package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail/apitest"
)

// The README's quickstart, as a newcomer runs it: serve --demo, the AWS CLI with the demo
// credentials, NotifyWorkers, then the captured mailbox and the delivery log.
func TestReadmeQuickstart(t *testing.T) {
	apitest.RequirePython(t, "aws")
	bin := buildTurkmail(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "turkmail.db")
	_, url, _ := startServe(t, bin, "--db", db, "--demo")

	aws := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", append(args, "--endpoint-url", url, "--region", "us-east-1", "--output", "json")...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIADEMOTURKMAIL0001",
			"AWS_SECRET_ACCESS_KEY=turkmailDemoSecretAccessKeyNOTFORPROD001",
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("aws %v: %v", args, err)
		}
		return string(out)
	}
	if out := aws("mturk", "get-account-balance"); !strings.Contains(out, `"AvailableBalance": "10000.00"`) {
		t.Fatalf("get-account-balance printed %s", out)
	}
	out := aws("mturk", "notify-workers", "--subject", "New batch: bird photos",
		"--message-text", "A new batch is up. Thanks for last time!",
		"--worker-ids", "ADEMOAPPROVED1", "ADEMOREJECTED1", "ADEMONOWORK1")
	var resp struct {
		NotifyWorkersFailureStatuses []map[string]string
	}
	if err := json.Unmarshal([]byte(out), &resp); err != nil || len(resp.NotifyWorkersFailureStatuses) != 1 ||
		resp.NotifyWorkersFailureStatuses[0]["WorkerId"] != "ADEMONOWORK1" ||
		resp.NotifyWorkersFailureStatuses[0]["NotifyWorkersFailureCode"] != "HardFailure" ||
		resp.NotifyWorkersFailureStatuses[0]["NotifyWorkersFailureMessage"] != "Cannot send a notification to a worker who has not done any work for you" {
		t.Fatalf("notify-workers printed %s", out)
	}

	// "delivered at once to the captured mailbox"
	var list string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		list, _, _ = run(t, db, "mailbox", "list")
		if strings.Count(list, "New batch: bird photos") == 2 {
			break
		}
	}
	if !strings.Contains(list, "approved@example.org") || !strings.Contains(list, "rejected@example.org") {
		t.Fatalf("mailbox list:\n%s", list)
	}
	show, _, err := run(t, db, "mailbox", "show", "1")
	if err != nil || !strings.Contains(show, "A new batch is up. Thanks for last time!") || !strings.Contains(show, "List-Unsubscribe: <") {
		t.Fatalf("mailbox show 1: %v\n%s", err, show)
	}
	if log, _, err := run(t, db, "deliveries", "list"); err != nil || strings.Count(log, "delivered") != 2 {
		t.Fatalf("deliveries list: %v\n%s", err, log)
	}
}
