package main

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
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
			store, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			creds, err := svc.CreateRequester(cmd.Context(), turkmail.NewRequester{Name: name, ContactEmail: contact, BalanceCents: cents})
			if err != nil {
				return err
			}
			return printCredentials(cmd, creds, asJSON)
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
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(c)
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
			store, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			rs, err := svc.Requesters(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(rs)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "REQUESTER ID\tNAME\tCONTACT\tBALANCE\tCREATED")
			for _, r := range rs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.ContactEmail, turkmail.FormatMoney(r.BalanceCents), r.CreatedAt.Format("2006-01-02 15:04"))
			}
			return tw.Flush()
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
			store, svc, err := g.open(cmd.Context())
			if err != nil {
				return err
			}
			defer store.Close()
			creds, err := svc.RotateKey(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			return printCredentials(cmd, creds, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
