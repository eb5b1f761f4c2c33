package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

func newAssignmentCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "assignment",
		Short: "The worker's side: accept and submit assignments; run auto-approval",
		Example: `  turkmail assignment accept --hit 3AB… --worker A1B2C3D4E5F6G7
  turkmail assignment submit --assignment 3XY… --answer answer.xml`,
	}
	cmd.AddCommand(newAssignmentAcceptCommand(g), newAssignmentSubmitCommand(g), newAssignmentAutoApproveCommand(g))
	return cmd
}

func newAssignmentAcceptCommand(g *globals) *cobra.Command {
	var hitID, workerID string
	cmd := &cobra.Command{
		Use:   "accept --hit HITID --worker ID",
		Short: "Accept a HIT as a worker and print the AssignmentId",
		Long: `Accept a HIT on behalf of a registered worker. The HIT must be assignable: not expired or
deleted, with an assignment left, and its requester must not have blocked the worker.`,
		Example: "  turkmail assignment accept --hit 3AB… --worker A1B2C3D4E5F6G7",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				a, err := svc.AcceptAssignment(cmd.Context(), hitID, workerID)
				if err != nil {
					return err
				}
				fmt.Fprintln(cmd.OutOrStdout(), a.ID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&hitID, "hit", "", "HIT id (required)")
	cmd.Flags().StringVar(&workerID, "worker", "", "worker id (required)")
	cmd.MarkFlagRequired("hit")
	cmd.MarkFlagRequired("worker")
	return cmd
}

func newAssignmentSubmitCommand(g *globals) *cobra.Command {
	var id, answerFile string
	cmd := &cobra.Command{
		Use:   "submit --assignment ID [--answer FILE]",
		Short: "Submit an accepted assignment, with a QuestionFormAnswers XML answer kept as given",
		Example: `  turkmail assignment submit --assignment 3XY… --answer answer.xml
  turkmail assignment submit --assignment 3XY…            # an empty answer`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			answer := ""
			if answerFile != "" {
				b, err := os.ReadFile(answerFile)
				if err != nil {
					return err
				}
				answer = string(b)
			}
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				a, err := svc.SubmitAssignment(cmd.Context(), id, answer)
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "assignment %s submitted; auto-approved at %s unless reviewed first\n",
					a.ID, a.AutoApprovalTime.Format("2006-01-02 15:04:05Z07:00"))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&id, "assignment", "", "assignment id (required)")
	cmd.Flags().StringVar(&answerFile, "answer", "", "file holding the QuestionFormAnswers XML")
	cmd.MarkFlagRequired("assignment")
	return cmd
}

func newAssignmentAutoApproveCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "auto-approve",
		Short: "Approve every submitted assignment whose auto-approval time has passed (serve does this every minute)",
		Example: `  turkmail assignment auto-approve
  turkmail assignment auto-approve --db postgres://turkmail@db.internal/turkmail`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				n, err := svc.AutoApprove(cmd.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d assignment(s) approved\n", n)
				return nil
			})
		},
	}
}

// startAutoApproval runs the auto-approval job every interval in its own goroutine; the
// returned function stops it and waits for it. Safe on every node of a cluster: each batch
// is a conditional UPDATE.
func startAutoApproval(ctx context.Context, svc *turkmail.Service, interval time.Duration, log *slog.Logger) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.RunAutoApproval(ctx, interval, func(n int, err error) {
			if err != nil {
				log.Error("auto-approval failed", "approved", n, "error", turkmail.AsError(err).Err)
				return
			}
			log.Info("auto-approved assignments", "approved", n)
		})
	}()
	return func() { cancel(); <-done }
}
