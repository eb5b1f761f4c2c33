package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
	"github.com/turkmail/turkmail/sqlstore"
)

func newDeliveriesCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "deliveries",
		Short: "Inspect the delivery log",
		Example: `  turkmail deliveries list --state deferred
  turkmail deliveries list --notification 3ABCDEFGHIJKLMNOPQRSTUVWXYZ012 --json`,
	}
	cmd.AddCommand(newDeliveriesListCommand(g))
	return cmd
}

type deliveriesListFlags struct {
	notification, requester, worker, state string
	limit                                  int
	asJSON, showAddresses                  bool
}

func newDeliveriesListCommand(g *globals) *cobra.Command {
	var f deliveriesListFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List deliveries, newest first",
		Long: `List deliveries (one per notification and worker), newest first, with their state,
attempts, next attempt and the relay's last reply.

Workers' addresses are not shown unless --show-addresses is given: the listing is often
pasted into tickets and chats, and a worker id is enough to find the worker
(turkmail worker show ID). Without the flag the addresses are not even read.`,
		Example: `  turkmail deliveries list --notification 3ABCDEFGHIJKLMNOPQRSTUVWXYZ012
  turkmail deliveries list --state bounced --json
  turkmail deliveries list --state deferred --show-addresses`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(_ *sqlstore.Store, svc *turkmail.Service) error {
				recs, err := svc.DeliveryRecords(cmd.Context(), turkmail.DeliveryFilter{
					NotificationID: f.notification, RequesterID: f.requester, WorkerID: f.worker,
					State: turkmail.DeliveryState(f.state), Limit: f.limit, WithAddresses: f.showAddresses,
				})
				if err != nil {
					return err
				}
				if f.asJSON {
					return printDeliveriesJSON(cmd, recs, f.showAddresses)
				}
				return printDeliveries(cmd, recs, f.showAddresses)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.notification, "notification", "", "only this notification (the X-Turkmail-Notification-Id of NotifyWorkers)")
	fl.StringVar(&f.requester, "requester", "", "only this requester's deliveries")
	fl.StringVar(&f.worker, "worker", "", "only deliveries to this worker")
	fl.StringVar(&f.state, "state", "", "only this state: queued, sending, deferred, delivered, bounced, expired or cancelled")
	fl.IntVar(&f.limit, "limit", turkmail.DefaultDeliveryListLimit, "show at most this many")
	fl.BoolVar(&f.asJSON, "json", false, "print JSON")
	fl.BoolVar(&f.showAddresses, "show-addresses", false, "also show workers' email addresses (and reply texts as stored)")
	return cmd
}

// deliveryJSON is one delivery in --json output. WorkerEmail is present only with
// --show-addresses.
type deliveryJSON struct {
	DeliveryID         int64      `json:"DeliveryId"`
	NotificationID     string     `json:"NotificationId"`
	RequesterID        string     `json:"RequesterId"`
	WorkerID           string     `json:"WorkerId"`
	WorkerEmail        string     `json:"WorkerEmail,omitempty"`
	MessageID          string     `json:"MessageId"`
	State              string     `json:"State"`
	Attempts           int        `json:"Attempts"`
	NextAttemptTime    *time.Time `json:"NextAttemptTime,omitempty"`
	LastAttemptTime    *time.Time `json:"LastAttemptTime,omitempty"`
	LastReplyCode      int        `json:"LastReplyCode,omitempty"`
	LastEnhancedStatus string     `json:"LastEnhancedStatus,omitempty"`
	LastReplyText      string     `json:"LastReplyText,omitempty"`
	CreationTime       time.Time  `json:"CreationTime"`
	UpdateTime         time.Time  `json:"UpdateTime"`
}

func printDeliveriesJSON(cmd *cobra.Command, recs []turkmail.DeliveryRecord, showAddresses bool) error {
	out := make([]deliveryJSON, 0, len(recs))
	for _, r := range recs {
		d := deliveryJSON{DeliveryID: r.ID, NotificationID: r.NotificationID, RequesterID: r.RequesterID,
			WorkerID: r.WorkerID, WorkerEmail: r.WorkerEmail, MessageID: r.MessageID, State: string(r.State),
			Attempts: r.Attempts, LastReplyCode: r.LastCode, LastEnhancedStatus: r.LastEnhanced,
			LastReplyText: shownReply(r.LastText, showAddresses), CreationTime: r.CreatedAt, UpdateTime: r.UpdatedAt}
		if !r.State.Final() {
			d.NextAttemptTime = &r.DueAt
		}
		if !r.LastAttemptAt.IsZero() {
			d.LastAttemptTime = &r.LastAttemptAt
		}
		out = append(out, d)
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // Message-IDs and reply texts keep their angle brackets
	return enc.Encode(out)
}

func printDeliveries(cmd *cobra.Command, recs []turkmail.DeliveryRecord, showAddresses bool) error {
	header := "CREATED\tNOTIFICATION\tREQUESTER\tWORKER\t"
	if showAddresses {
		header += "ADDRESS\t"
	}
	tw := newTable(cmd.OutOrStdout(), header+"STATE\tATTEMPTS\tLAST ATTEMPT\tNEXT ATTEMPT\tLAST REPLY")
	const layout = "2006-01-02 15:04:05"
	for _, r := range recs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t", r.CreatedAt.Local().Format(layout), r.NotificationID, r.RequesterID, r.WorkerID)
		if showAddresses {
			fmt.Fprintf(tw, "%s\t", r.WorkerEmail)
		}
		last, next := "-", "-"
		if !r.LastAttemptAt.IsZero() {
			last = r.LastAttemptAt.Local().Format(layout)
		}
		if !r.State.Final() {
			next = r.DueAt.Local().Format(layout)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", r.State, r.Attempts, last, next, replyLine(r, showAddresses))
	}
	if len(recs) == 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), "no deliveries match")
	}
	return tw.Flush()
}

// replyLine is the last reply on one line: code, enhanced code, text.
func replyLine(r turkmail.DeliveryRecord, showAddresses bool) string {
	s := ""
	if r.LastCode != 0 {
		s = strconv.Itoa(r.LastCode) + " "
	}
	if r.LastEnhanced != "" {
		s += r.LastEnhanced + " "
	}
	s += shownReply(r.LastText, showAddresses)
	if s == "" {
		return "-"
	}
	return s
}

// shownReply keeps addresses out of the reply text unless the operator asked for them. The
// senders store it redacted already; this holds even for rows an older version wrote.
func shownReply(text string, showAddresses bool) string {
	if showAddresses {
		return text
	}
	return mail.RedactAddresses(text)
}
