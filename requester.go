package turkmail

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Requester is an account that calls the API: it owns HITs and sends notifications.
type Requester struct {
	ID           string
	Name         string // display name on the From line of its emails
	ContactEmail string // optional; becomes Reply-To
	BalanceCents int64
	CreatedAt    time.Time
}

// AccessKey is a requester's SigV4 credential. Secret is stored sealed (see Sealer).
type AccessKey struct {
	ID          string
	RequesterID string
	Secret      string // sealed form as stored
	CreatedAt   time.Time
}

// NewRequester is what the operator asks for; the Service fills in ids and credentials.
type NewRequester struct {
	Name         string
	ContactEmail string
	BalanceCents int64
}

// Credentials are shown once, when created or rotated.
type Credentials struct {
	RequesterID     string `json:"RequesterId"`
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
}

// FormatMoney renders cents the way MTurk's API writes amounts: "10000.00".
func FormatMoney(cents int64) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	return fmt.Sprintf("%s%d.%02d", sign, cents/100, cents%100)
}

// ParseMoney reads "12", "12.5" or "12.50" into cents; more precision than cents is refused.
func ParseMoney(s string) (int64, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(whole) > 12 || (hasFrac && (len(frac) == 0 || len(frac) > 2)) {
		return 0, fmt.Errorf("amount %q is not of the form 12.34", s)
	}
	var cents int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("amount %q is not of the form 12.34", s)
		}
		cents = cents*10 + int64(c-'0')
	}
	return cents, nil
}

// CreateRequester registers a requester with a fresh key pair.
func (s *Service) CreateRequester(ctx context.Context, in NewRequester) (Credentials, error) {
	in.Name = strings.TrimSpace(in.Name)
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 100 {
		return Credentials{}, Invalid("AWS.ParameterOutOfRange", "Name must be 1 to 100 characters (got %d).", n)
	}
	if strings.ContainsFunc(in.Name, isControl) {
		return Credentials{}, Invalid("AWS.ParameterOutOfRange", "Name must not contain control characters.")
	}
	if in.ContactEmail != "" {
		a, err := mail.ParseAddress(in.ContactEmail)
		if err != nil {
			return Credentials{}, Invalid("AWS.ParameterOutOfRange", "Contact address %q is not a valid email address.", in.ContactEmail)
		}
		in.ContactEmail = a.Address
	}
	if in.BalanceCents < 0 {
		return Credentials{}, Invalid("AWS.ParameterOutOfRange", "Balance must not be negative.")
	}
	now := s.now()
	r := Requester{ID: s.ids.requesterID(), Name: in.Name, ContactEmail: in.ContactEmail,
		BalanceCents: in.BalanceCents, CreatedAt: now}
	key, creds, err := s.newAccessKey(r.ID, now)
	if err != nil {
		return Credentials{}, err
	}
	if err := s.store.CreateRequester(ctx, r, key); err != nil {
		return Credentials{}, Fault(err)
	}
	return creds, nil
}

// RotateKey replaces a requester's key pair; the old key stops working at once.
func (s *Service) RotateKey(ctx context.Context, requesterID string) (Credentials, error) {
	key, creds, err := s.newAccessKey(requesterID, s.now())
	if err != nil {
		return Credentials{}, err
	}
	if err := s.store.ReplaceAccessKey(ctx, requesterID, key); err != nil {
		return Credentials{}, s.notFound(err, "Requester %s does not exist.", requesterID)
	}
	return creds, nil
}

func (s *Service) newAccessKey(requesterID string, now time.Time) (AccessKey, Credentials, error) {
	secret := s.ids.secret()
	sealed, err := s.sealer.Seal(secret)
	if err != nil {
		return AccessKey{}, Credentials{}, Fault(err)
	}
	key := AccessKey{ID: s.ids.accessKeyID(), RequesterID: requesterID, Secret: sealed, CreatedAt: now}
	return key, Credentials{RequesterID: requesterID, AccessKeyID: key.ID, SecretAccessKey: secret}, nil
}

// Requester returns one requester.
func (s *Service) Requester(ctx context.Context, id string) (Requester, error) {
	r, err := s.store.Requester(ctx, id)
	if err != nil {
		return Requester{}, s.notFound(err, "Requester %s does not exist.", id)
	}
	return r, nil
}

// Requesters lists every requester, oldest first.
func (s *Service) Requesters(ctx context.Context) ([]Requester, error) {
	rs, err := s.store.ListRequesters(ctx)
	if err != nil {
		return nil, Fault(err)
	}
	return rs, nil
}

// LookupKey returns the plain secret and the requester of an access key, for SigV4.
// An unknown key is ErrNotFound.
func (s *Service) LookupKey(ctx context.Context, accessKeyID string) (secret, requesterID string, err error) {
	k, err := s.store.AccessKey(ctx, accessKeyID)
	if err != nil {
		return "", "", err
	}
	secret, err = s.sealer.Open(k.Secret)
	if err != nil {
		return "", "", err
	}
	return secret, k.RequesterID, nil
}

// AccountBalance is GetAccountBalance's answer.
type AccountBalance struct {
	AvailableCents int64
	OnHoldCents    int64
}

// AccountBalance returns what the requester has to spend. turkmail moves no money, so
// nothing is ever on hold.
func (s *Service) AccountBalance(ctx context.Context, requesterID string) (AccountBalance, error) {
	r, err := s.Requester(ctx, requesterID)
	if err != nil {
		return AccountBalance{}, err
	}
	return AccountBalance{AvailableCents: r.BalanceCents}, nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }
