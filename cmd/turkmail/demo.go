package main

import (
	"context"
	"fmt"
	"io"

	"github.com/turkmail/turkmail"
)

// seedDemo runs serve --demo's seeding and prints the demo's credentials and workers. On a
// database that already has requesters it changes nothing and says so.
func seedDemo(ctx context.Context, svc *turkmail.Service, out io.Writer) error {
	seeded, hitID, err := svc.SeedDemo(ctx)
	if err != nil {
		return fmt.Errorf("seed demo: %w", err)
	}
	if !seeded {
		fmt.Fprintln(out, "demo: the database already has requesters; nothing seeded. The demo credentials below work only if it was seeded by --demo.")
	}
	fmt.Fprintf(out, `demo requester (public credentials: never use them for real work):
  RequesterId:     %s
  AccessKeyId:     %s
  SecretAccessKey: %s
`, turkmail.DemoRequesterID, turkmail.DemoAccessKeyID, turkmail.DemoSecretAccessKey)
	if hitID != "" {
		fmt.Fprintf(out, "  HIT:             %s\n", hitID)
	}
	fmt.Fprintln(out, "demo workers:")
	for _, w := range turkmail.DemoWorkers() {
		eligible := "cannot be notified"
		if w.History == turkmail.StatusApproved || w.History == turkmail.StatusRejected {
			eligible = "can be notified"
		}
		fmt.Fprintf(out, "  %-16s %-22s %-10s %s\n", w.ID, w.Email, w.History, eligible)
	}
	return nil
}
