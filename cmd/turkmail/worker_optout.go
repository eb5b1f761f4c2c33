package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

// newWorkerOptOutCommands are the worker subcommands that stop and restart one requester's
// email to a worker, for the operator acting on a worker's request (the worker's own way
// is the unsubscribe link in every email).
func newWorkerOptOutCommands(g *globals) []*cobra.Command {
	return []*cobra.Command{newWorkerOptOutCommand(g), newWorkerOptInCommand(g)}
}

func newWorkerOptOutCommand(g *globals) *cobra.Command {
	var requester string
	cmd := &cobra.Command{
		Use:   "optout WORKER_ID --requester REQUESTER_ID",
		Short: "Stop a requester's email to a worker",
		Long: `Stop a requester's email to a worker, as the unsubscribe link in the emails does.
NotifyWorkers answers HardFailure for the worker from then on, and deliveries still queued
are cancelled when their turn comes. Running it again changes nothing.`,
		Example: "  turkmail worker optout A1EXAMPLEWORKER --requester A2EXAMPLEREQSTR",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				o, already, err := svc.OptOut(cmd.Context(), args[0], requester)
				if err != nil {
					return err
				}
				r, err := svc.Requester(cmd.Context(), requester)
				if err != nil {
					return err
				}
				since := o.CreatedAt.Local().Format("2006-01-02 15:04:05")
				if already {
					fmt.Fprintf(cmd.OutOrStdout(), "Worker %s had already opted out of email from %s (%s) on %s; nothing changed.\n", o.WorkerID, r.ID, r.Name, since)
					return nil
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Worker %s opted out of email from %s (%s).\n", o.WorkerID, r.ID, r.Name)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&requester, "requester", "", "the requester whose email stops (required)")
	cmd.MarkFlagRequired("requester")
	return cmd
}

func newWorkerOptInCommand(g *globals) *cobra.Command {
	var requester string
	cmd := &cobra.Command{
		Use:   "optin WORKER_ID --requester REQUESTER_ID",
		Short: "Undo an opt-out: a requester may email the worker again",
		Long: `Undo an opt-out, for a worker who asked to receive a requester's email again.
Deliveries cancelled while the opt-out stood stay cancelled.`,
		Example: "  turkmail worker optin A1EXAMPLEWORKER --requester A2EXAMPLEREQSTR",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				was, err := svc.OptIn(cmd.Context(), args[0], requester)
				if err != nil {
					return err
				}
				if !was {
					fmt.Fprintf(cmd.OutOrStdout(), "Worker %s had not opted out of email from %s; nothing changed.\n", args[0], requester)
					return nil
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Worker %s receives email from %s again.\n", args[0], requester)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&requester, "requester", "", "the requester whose email resumes (required)")
	cmd.MarkFlagRequired("requester")
	return cmd
}
