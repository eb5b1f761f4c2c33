package mturkapi

import (
	"context"
	"strings"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/mail"
)

// ListNotifications and GetNotification are turkmail's own operations (target prefix
// Turkmail20261201): delivery status for the requester who sent a notification. Shapes
// follow AWS JSON conventions — PascalCase members, timestamps as epoch seconds, members
// without a value left out — and never carry a worker's address (docs/delivery-status.md).

type listNotificationsInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int64  `json:"MaxResults"`
}

type listNotificationsOutput struct {
	Notifications []notificationSummaryOut `json:"Notifications"`
	NextToken     *string                  `json:"NextToken,omitempty"`
	NumResults    int                      `json:"NumResults"`
}

type notificationSummaryOut struct {
	NotificationID string            `json:"NotificationId"`
	Subject        string            `json:"Subject"`
	CreationTime   timestamp         `json:"CreationTime"`
	WorkerCount    int               `json:"WorkerCount"`
	DeliveryCounts deliveryCountsOut `json:"DeliveryCounts"`
}

// deliveryCountsOut has every state, zeros included, so a client can read any member.
type deliveryCountsOut struct {
	Queued    int `json:"Queued"`
	Sending   int `json:"Sending"`
	Deferred  int `json:"Deferred"`
	Delivered int `json:"Delivered"`
	Bounced   int `json:"Bounced"`
	Expired   int `json:"Expired"`
	Cancelled int `json:"Cancelled"`
}

func listNotifications(ctx context.Context, c *call, in *listNotificationsInput) (any, error) {
	page, err := c.svc.ListNotifications(ctx, c.requesterID, in.NextToken, in.MaxResults)
	if err != nil {
		return nil, err
	}
	out := listNotificationsOutput{Notifications: make([]notificationSummaryOut, 0, len(page.Notifications)),
		NextToken: page.NextToken, NumResults: len(page.Notifications)}
	for _, n := range page.Notifications {
		out.Notifications = append(out.Notifications, summaryOut(n))
	}
	return out, nil
}

func summaryOut(n turkmail.NotificationSummary) notificationSummaryOut {
	return notificationSummaryOut{
		NotificationID: n.ID,
		Subject:        n.Subject,
		CreationTime:   timestamp(n.CreatedAt),
		WorkerCount:    n.WorkerCount,
		DeliveryCounts: deliveryCountsOut(n.Counts),
	}
}

// wireState renders a delivery state as the API's enumerations are spelt: "Delivered".
func wireState(st turkmail.DeliveryState) string {
	s := string(st)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// replyText is the last reply as a requester may see it. Senders store it with addresses
// removed already; removing them again here costs little and keeps an address out of the
// response even if some future sender forgot.
func replyText(s string) string { return mail.RedactAddresses(s) }
