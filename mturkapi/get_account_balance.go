package mturkapi

import (
	"context"

	"github.com/turkmail/turkmail"
)

type getAccountBalanceInput struct{}

type getAccountBalanceOutput struct {
	AvailableBalance string `json:"AvailableBalance"`
	OnHoldBalance    string `json:"OnHoldBalance"`
}

func getAccountBalance(ctx context.Context, c *call, _ *getAccountBalanceInput) (any, error) {
	b, err := c.svc.AccountBalance(ctx, c.requesterID)
	if err != nil {
		return nil, err
	}
	return getAccountBalanceOutput{
		AvailableBalance: turkmail.FormatMoney(b.AvailableCents),
		OnHoldBalance:    turkmail.FormatMoney(b.OnHoldCents),
	}, nil
}
