package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail/sqlstore"
)

func newMigrateCommand(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Apply the database migrations not yet applied",
		Long:  "Apply the embedded, numbered migrations to --db. serve does this at start too; migrate lets you do it first.",
		Example: `  turkmail migrate
  turkmail migrate --db postgres://turkmail@db.internal/turkmail`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			store, err := sqlstore.OpenWithoutMigrating(cmd.Context(), g.db, sqlstore.Options{})
			if err != nil {
				return err
			}
			defer store.Close()
			applied, err := store.Migrate(cmd.Context())
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(cmd.OutOrStdout(), "database is up to date")
				return nil
			}
			for _, v := range applied {
				fmt.Fprintf(cmd.OutOrStdout(), "applied migration %04d\n", v)
			}
			return nil
		},
	}
}
