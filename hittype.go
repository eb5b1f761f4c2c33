package turkmail

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
)

// HITType is the set of properties HITs share: MTurk groups HITs by it, and identical
// properties give the same HITTypeId.
type HITType struct {
	ID                        string
	RequesterID               string
	Fingerprint               string // hash of the properties below; unique per requester
	Title                     string
	Description               string
	Keywords                  string
	RewardCents               int64
	AssignmentDuration        time.Duration
	AutoApprovalDelay         time.Duration
	QualificationRequirements []QualificationRequirement
	CreatedAt                 time.Time
}

// QualificationRequirement is MTurk's shape, kept and returned as given. turkmail has no
// qualification types, so requirements are recorded but not enforced (docs/work-history.md).
type QualificationRequirement struct {
	QualificationTypeId string   `json:"QualificationTypeId"`
	Comparator          string   `json:"Comparator"`
	IntegerValues       []int64  `json:"IntegerValues,omitempty"`
	LocaleValues        []Locale `json:"LocaleValues,omitempty"`
	RequiredToPreview   *bool    `json:"RequiredToPreview,omitempty"`
	ActionsGuarded      string   `json:"ActionsGuarded,omitempty"`
}

// Locale is MTurk's country (ISO 3166-1 alpha-2) and optional subdivision.
type Locale struct {
	Country     string `json:"Country"`
	Subdivision string `json:"Subdivision,omitempty"`
}

// NewHITType holds CreateHITType's members; the names are MTurk's, so the API decodes into it.
// Pointers tell a missing member from a zero one.
type NewHITType struct {
	Title                       *string
	Description                 *string
	Keywords                    *string
	Reward                      *string
	AssignmentDurationInSeconds *int64
	AutoApprovalDelayInSeconds  *int64
	QualificationRequirements   []QualificationRequirement
}

// MTurk's limits.
const (
	maxTitle               = 128
	maxDescription         = 2000
	maxKeywords            = 1000
	minDurationSeconds     = 30
	maxDurationSeconds     = 365 * 24 * 3600
	maxAutoApprovalSeconds = 30 * 24 * 3600
	// DefaultAutoApprovalDelay is MTurk's default: 30 days.
	DefaultAutoApprovalDelay = 30 * 24 * time.Hour
)

var comparators = map[string]bool{"LessThan": true, "LessThanOrEqualTo": true, "GreaterThan": true,
	"GreaterThanOrEqualTo": true, "EqualTo": true, "NotEqualTo": true, "Exists": true, "DoesNotExist": true,
	"In": true, "NotIn": true}

// checkHITType validates in and returns the type it describes (without ids).
func checkHITType(in NewHITType) (HITType, error) {
	var t HITType
	var err error
	if t.Title, err = text("Title", in.Title, true, maxTitle); err != nil {
		return t, err
	}
	if t.Description, err = text("Description", in.Description, true, maxDescription); err != nil {
		return t, err
	}
	if t.Keywords, err = text("Keywords", in.Keywords, false, maxKeywords); err != nil {
		return t, err
	}
	if in.Reward == nil {
		return t, missing("Reward")
	}
	if t.RewardCents, err = parseReward(*in.Reward); err != nil {
		return t, err
	}
	d, err := seconds("AssignmentDurationInSeconds", in.AssignmentDurationInSeconds, true, minDurationSeconds, maxDurationSeconds, 0)
	if err != nil {
		return t, err
	}
	t.AssignmentDuration = d
	if t.AutoApprovalDelay, err = seconds("AutoApprovalDelayInSeconds", in.AutoApprovalDelayInSeconds, false, 0, maxAutoApprovalSeconds, DefaultAutoApprovalDelay); err != nil {
		return t, err
	}
	for i, q := range in.QualificationRequirements {
		if q.QualificationTypeId == "" {
			return t, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "QualificationRequirements[%d].QualificationTypeId is required.", i)
		}
		if !comparators[q.Comparator] {
			return t, Invalid("AWS.MechanicalTurk.InvalidParameterValue",
				"QualificationRequirements[%d].Comparator must be one of LessThan, LessThanOrEqualTo, GreaterThan, GreaterThanOrEqualTo, EqualTo, NotEqualTo, Exists, DoesNotExist, In, NotIn.", i)
		}
	}
	t.QualificationRequirements = in.QualificationRequirements
	fp, _ := json.Marshal([]any{t.Title, t.Description, t.Keywords, t.RewardCents,
		int64(t.AssignmentDuration / time.Second), int64(t.AutoApprovalDelay / time.Second), t.QualificationRequirements})
	sum := sha256.Sum256(fp)
	t.Fingerprint = hex.EncodeToString(sum[:])
	return t, nil
}

// CreateHITType returns the id of the requester's HIT type with these properties, making it
// if it does not exist yet.
func (s *Service) CreateHITType(ctx context.Context, requesterID string, in NewHITType) (HITType, error) {
	t, err := checkHITType(in)
	if err != nil {
		return HITType{}, err
	}
	t.ID = s.ids.objectID()
	t.RequesterID = requesterID
	t.CreatedAt = s.clock()
	stored, err := s.store.PutHITType(ctx, t)
	if err != nil {
		return HITType{}, Fault(err)
	}
	return stored, nil
}

// parseReward reads MTurk's CurrencyAmount (^[0-9]+(\.)?[0-9]{0,2}$) into cents.
func parseReward(s string) (int64, error) {
	bad := Invalid("AWS.MechanicalTurk.InvalidParameterValue", "Reward must be an amount in US dollars such as \"0.50\" (got %q).", clip(s, 40))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 9 || len(frac) > 2 {
		return 0, bad
	}
	var cents int64
	for _, c := range whole + (frac + "00")[:2] {
		if c < '0' || c > '9' {
			return 0, bad
		}
		cents = cents*10 + int64(c-'0')
	}
	return cents, nil
}

func missing(member string) error {
	return Invalid("AWS.MechanicalTurk.MissingParameter", "The request must include %s.", member)
}

// text checks a string member: presence, length in characters, no control characters other
// than tab and line ends.
func text(member string, v *string, required bool, max int) (string, error) {
	if v == nil {
		if required {
			return "", missing(member)
		}
		return "", nil
	}
	n := utf8.RuneCountInString(*v)
	if required && strings.TrimSpace(*v) == "" {
		return "", Invalid("AWS.MechanicalTurk.InvalidParameterValue", "%s must not be empty.", member)
	}
	if n > max {
		return "", Invalid("AWS.MechanicalTurk.InvalidParameterValue", "%s must be at most %d characters (got %d).", member, max, n)
	}
	if strings.ContainsFunc(*v, func(r rune) bool { return isControl(r) && r != '\t' && r != '\n' && r != '\r' }) {
		return "", Invalid("AWS.MechanicalTurk.InvalidParameterValue", "%s must not contain control characters.", member)
	}
	return *v, nil
}

// seconds checks a duration member given in seconds.
func seconds(member string, v *int64, required bool, min, max int64, def time.Duration) (time.Duration, error) {
	if v == nil {
		if required {
			return 0, missing(member)
		}
		return def, nil
	}
	if *v < min || *v > max {
		return 0, Invalid("AWS.MechanicalTurk.InvalidParameterValue", "%s must be between %d and %d seconds (got %d).", member, min, max, *v)
	}
	return time.Duration(*v) * time.Second, nil
}
