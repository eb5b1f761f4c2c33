package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

func newWorkerCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "worker",
		Short: "Register workers and their email addresses",
		Example: `  turkmail worker add --id A1B2C3D4E5F6G7 --email ada@example.org --name "Ada"
  turkmail worker import panel.csv
  turkmail worker list`,
	}
	cmd.AddCommand(newWorkerAddCommand(g), newWorkerImportCommand(g), newWorkerListCommand(g), newWorkerShowCommand(g))
	cmd.AddCommand(newWorkerOptOutCommands(g)...)
	return cmd
}

func newWorkerAddCommand(g *globals) *cobra.Command {
	var id, email, name string
	cmd := &cobra.Command{
		Use:   "add --id ID --email ADDR [--name NAME]",
		Short: "Register a worker, or change the address or name of a known one",
		Example: `  turkmail worker add --id A1B2C3D4E5F6G7 --email ann@example.org --name "Ann Lee"
  turkmail worker add --id A1B2C3D4E5F6G7 --email "Ann Lee <ann@example.org>"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				w, changed, err := svc.AddWorker(cmd.Context(), id, email, name)
				if err != nil {
					return err
				}
				verb := "saved"
				if !changed {
					verb = "unchanged"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "worker %s %s\n", w.ID, verb)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&id, "id", "", "worker id, ^A[A-Z0-9]+$ (required)")
	cmd.Flags().StringVar(&email, "email", "", "email address, RFC 5322 (required)")
	cmd.Flags().StringVar(&name, "name", "", "display name")
	cmd.MarkFlagRequired("id")
	cmd.MarkFlagRequired("email")
	return cmd
}

func newWorkerImportCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "import FILE",
		Short: "Import workers from CSV (header WorkerId,Email[,Name]); - reads standard input",
		Long: `Import workers from a CSV file whose first line names the columns WorkerId and Email, and
optionally Name. Every valid line is saved; every bad line is reported with its number and
reason and skipped. Importing the same file again changes nothing. The exit status is 1 if
any line was bad.`,
		Example: `  turkmail worker import panel.csv`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := os.Stdin
			if args[0] != "-" {
				f, err := os.Open(args[0])
				if err != nil {
					return err
				}
				defer f.Close()
				in = f
			}
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				res, err := svc.ImportWorkers(cmd.Context(), in)
				for _, p := range res.Problems {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s:%d: %s\n", args[0], p.Line, p.Reason)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%d added, %d updated, %d unchanged, %d skipped\n",
					res.Added, res.Updated, res.Unchanged, len(res.Problems))
				if err != nil {
					return err
				}
				if len(res.Problems) > 0 {
					return fmt.Errorf("%d line(s) not imported", len(res.Problems))
				}
				return nil
			})
		},
	}
}

// workerView is what list and show print: the operator sees the address.
type workerView struct {
	WorkerId  string `json:"WorkerId"`
	Email     string `json:"Email"`
	Name      string `json:"Name,omitempty"`
	CreatedAt string `json:"CreatedAt"`
}

func newWorkerListCommand(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List workers in id order",
		Example: "  turkmail worker list --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				ws, err := svc.Workers(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					out := make([]workerView, len(ws))
					for i, w := range ws {
						out[i] = workerView{w.ID, w.Email, w.Name, w.CreatedAt.Format("2006-01-02T15:04:05Z")}
					}
					return printJSON(cmd.OutOrStdout(), out)
				}
				tw := newTable(cmd.OutOrStdout(), "WORKER ID\tEMAIL\tNAME\tADDED")
				for _, w := range ws {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", w.ID, w.Email, w.Name, w.CreatedAt.Format("2006-01-02 15:04"))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newWorkerShowCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:     "show ID",
		Short:   "Show one worker",
		Example: "  turkmail worker show A1B2C3D4E5F6G7",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				w, err := svc.Worker(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return printIndentedJSON(cmd.OutOrStdout(), workerView{w.ID, w.Email, w.Name, w.CreatedAt.Format("2006-01-02T15:04:05Z")})
			})
		},
	}
}
