package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

func newHITCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "hit",
		Short: "Look at a requester's HITs (requesters create them through the API)",
		Example: `  turkmail hit list --requester ADEMOREQUESTER1
  turkmail hit show --requester ADEMOREQUESTER1 3AB…`,
	}
	cmd.AddCommand(newHITListCommand(g), newHITShowCommand(g))
	return cmd
}

type hitView struct {
	HITId          string `json:"HITId"`
	Title          string `json:"Title"`
	Status         string `json:"HITStatus"`
	MaxAssignments int64  `json:"MaxAssignments"`
	Pending        int64  `json:"NumberOfAssignmentsPending"`
	Completed      int64  `json:"NumberOfAssignmentsCompleted"`
	Expiration     string `json:"Expiration"`
}

func toHITView(h turkmail.HIT, now time.Time) hitView {
	return hitView{h.ID, h.Type.Title, h.Status(now), h.MaxAssignments, h.Pending, h.Completed, h.Expiration.Format(time.RFC3339)}
}

func newHITListCommand(g *globals) *cobra.Command {
	var requester string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list --requester ID",
		Short:   "List a requester's HITs (deleted ones excluded), oldest first",
		Example: "  turkmail hit list --requester ADEMOREQUESTER1",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				var views []hitView
				max := int64(100)
				var token *string
				for {
					l, err := svc.ListHITs(cmd.Context(), requester, token, &max)
					if err != nil {
						return err
					}
					for _, h := range l.HITs {
						views = append(views, toHITView(h, svc.Now()))
					}
					if token = l.NextToken; token == nil {
						break
					}
				}
				if asJSON {
					return printJSON(cmd.OutOrStdout(), views)
				}
				tw := newTable(cmd.OutOrStdout(), "HIT ID\tSTATUS\tMAX\tPENDING\tREVIEWED\tEXPIRES\tTITLE")
				for _, v := range views {
					fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", v.HITId, v.Status, v.MaxAssignments, v.Pending, v.Completed, v.Expiration, v.Title)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&requester, "requester", "", "requester id (required)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.MarkFlagRequired("requester")
	return cmd
}

func newHITShowCommand(g *globals) *cobra.Command {
	var requester string
	cmd := &cobra.Command{
		Use:     "show --requester ID HITID",
		Short:   "Show one HIT of a requester",
		Example: "  turkmail hit show --requester ADEMOREQUESTER1 3AB…",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				h, err := svc.GetHIT(cmd.Context(), requester, args[0])
				if err != nil {
					return err
				}
				return printIndentedJSON(cmd.OutOrStdout(), toHITView(h, svc.Now()))
			})
		},
	}
	cmd.Flags().StringVar(&requester, "requester", "", "requester id (required)")
	cmd.MarkFlagRequired("requester")
	return cmd
}
