package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

func newRequesterCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "requester",
		Short: "Create and list requesters, rotate their keys",
		Example: `  turkmail requester create --name "Vision Lab" --contact lab@example.org
  turkmail requester list
  turkmail requester rotate-key A1B2C3D4E5F6G7`,
	}
	cmd.AddCommand(newRequesterCreateCommand(g), newRequesterListCommand(g), newRequesterRotateCommand(g))
	return cmd
}

func newRequesterCreateCommand(g *globals) *cobra.Command {
	var name, contact, balance string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "create --name NAME",
		Short: "Create a requester and print its credentials (the secret is shown only here)",
		Example: `  turkmail requester create --name "Vision Lab" --contact lab@example.org
  turkmail requester create --name "Vision Lab" --balance 250.00 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cents, err := turkmail.ParseMoney(balance)
			if err != nil {
				return fmt.Errorf("--balance: %w", err)
			}
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				creds, err := svc.CreateRequester(cmd.Context(), turkmail.NewRequester{Name: name, ContactEmail: contact, BalanceCents: cents})
				if err != nil {
					return err
				}
				return printCredentials(cmd, creds, asJSON)
			})
		},
	}
	cmd.Flags().StringVar(&name, "name", "", "display name, shown on the From line of its emails (required)")
	cmd.Flags().StringVar(&contact, "contact", "", "contact address, used as Reply-To")
	cmd.Flags().StringVar(&balance, "balance", "10000.00", "account balance reported by GetAccountBalance")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.MarkFlagRequired("name")
	return cmd
}

func printCredentials(cmd *cobra.Command, c turkmail.Credentials, asJSON bool) error {
	if asJSON {
		return printIndentedJSON(cmd.OutOrStdout(), c)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "RequesterId:     %s\nAccessKeyId:     %s\nSecretAccessKey: %s\n",
		c.RequesterID, c.AccessKeyID, c.SecretAccessKey)
	return nil
}

func newRequesterListCommand(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List requesters",
		Example: "  turkmail requester list --json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				rs, err := svc.Requesters(cmd.Context())
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(cmd.OutOrStdout(), rs)
				}
				tw := newTable(cmd.OutOrStdout(), "REQUESTER ID\tNAME\tCONTACT\tBALANCE\tCREATED")
				for _, r := range rs {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.ContactEmail, turkmail.FormatMoney(r.BalanceCents), r.CreatedAt.Format("2006-01-02 15:04"))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newRequesterRotateCommand(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "rotate-key REQUESTER_ID",
		Short:   "Replace a requester's access key; the old one stops working at once",
		Example: "  turkmail requester rotate-key A1B2C3D4E5F6G7",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				creds, err := svc.RotateKey(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return printCredentials(cmd, creds, asJSON)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
