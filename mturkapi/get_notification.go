package mturkapi

import (
	"context"
)

type getNotificationInput struct {
	NotificationID string `json:"NotificationId"`
}

type getNotificationOutput struct {
	Notification notificationOut `json:"Notification"`
}

type notificationOut struct {
	notificationSummaryOut
	Deliveries []deliveryOut `json:"Deliveries"`
}

// deliveryOut is one worker's delivery. It has no member for an address.
type deliveryOut struct {
	WorkerID           string     `json:"WorkerId"`
	State              string     `json:"State"`
	Attempts           int        `json:"Attempts"`
	LastAttemptTime    *timestamp `json:"LastAttemptTime,omitempty"`
	LastReplyCode      int        `json:"LastReplyCode,omitempty"`
	LastEnhancedStatus string     `json:"LastEnhancedStatus,omitempty"`
	LastReplyText      string     `json:"LastReplyText,omitempty"`
}

func getNotification(ctx context.Context, c *call, in *getNotificationInput) (any, error) {
	r, err := c.svc.NotificationReport(ctx, c.requesterID, in.NotificationID)
	if err != nil {
		return nil, err
	}
	out := notificationOut{notificationSummaryOut: summaryOut(r.NotificationSummary),
		Deliveries: make([]deliveryOut, 0, len(r.Deliveries))}
	for _, d := range r.Deliveries {
		out.Deliveries = append(out.Deliveries, deliveryOut{WorkerID: d.WorkerID, State: wireState(d.State),
			Attempts: d.Attempts, LastAttemptTime: ts(d.LastAttemptAt), LastReplyCode: d.LastCode,
			LastEnhancedStatus: d.LastEnhanced, LastReplyText: replyText(d.LastText)})
	}
	return getNotificationOutput{Notification: out}, nil
}
