// Command turkmail is the one binary: the server (serve), its dispatcher, and the operator's
// commands for the database, requesters, workers, HITs, assignments, deliveries and mail.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmd := newRootCommand(os.Getenv)
	cmd.SetOut(os.Stdout)
	cmd.SetErr(os.Stderr)
	if err := cmd.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "turkmail:", err)
		os.Exit(1)
	}
}
