package turkmail

import (
	"unicode/utf8"
)

// NotifyWorkers' limits (DESIGN §2). Clients do not check them, so the server must.
const (
	MaxSubjectChars     = 200
	MaxMessageTextChars = 4096
	MaxNotifyWorkerIDs  = 100
	MaxWorkerIDChars    = 64
	// maxInvocationIDChars bounds the amz-sdk-invocation-id we store: SDKs send a 36-character UUID.
	maxInvocationIDChars = 128
)

// TurkErrorCodes of NotifyWorkers' RequestErrors: one per rule, so that a client can tell
// them apart without reading the message. Stable; docs/errors.md lists them.
const (
	TurkMissingParameter        = "AWS.MechanicalTurk.MissingParameter"
	TurkInvalidParameterType    = "AWS.MechanicalTurk.InvalidParameterType"
	TurkLengthOutOfRange        = "AWS.MechanicalTurk.LengthOutOfRange"
	TurkWorkerIDCountOutOfRange = "AWS.MechanicalTurk.WorkerIdCountOutOfRange"
	TurkInvalidWorkerID         = "AWS.MechanicalTurk.InvalidWorkerId"
	TurkInvalidCharacter        = "AWS.MechanicalTurk.InvalidCharacter"
	TurkInvalidUTF8             = "AWS.MechanicalTurk.InvalidUTF8"
	TurkInvalidInvocationID     = "AWS.MechanicalTurk.InvalidInvocationId"
)

// Validate applies DESIGN §2's input rules to a NotifyWorkers request. The first broken rule
// refuses the whole request with a RequestError whose message names the parameter, the limit
// and the size found. Counts are in Unicode code points; WorkerIds are counted as sent,
// before duplicates collapse.
func (in *NotifyInput) Validate() error {
	if err := checkText("Subject", in.Subject, MaxSubjectChars); err != nil {
		return err
	}
	if i, r, ok := indexRune(in.Subject, isControl); ok {
		return Invalid(TurkInvalidCharacter,
			"Value for parameter Subject contains the control character U+%04X at character %d; line breaks and other control characters are not allowed.", r, i+1)
	}
	if err := checkText("MessageText", in.MessageText, MaxMessageTextChars); err != nil {
		return err
	}
	if i, _, ok := indexRune(in.MessageText, func(r rune) bool { return r == 0 }); ok {
		return Invalid(TurkInvalidCharacter,
			"Value for parameter MessageText contains a NUL character (U+0000) at character %d; it is not allowed.", i+1)
	}
	if n := len(in.WorkerIDs); n == 0 || n > MaxNotifyWorkerIDs {
		return Invalid(TurkWorkerIDCountOutOfRange,
			"Value for parameter WorkerIds has %d entries; it must have 1 to %d.", n, MaxNotifyWorkerIDs)
	}
	for i, id := range in.WorkerIDs {
		if err := checkWorkerID(i, id); err != nil {
			return err
		}
	}
	if n := len(in.InvocationID); n > maxInvocationIDChars || !printableASCII(in.InvocationID) {
		return Invalid(TurkInvalidInvocationID,
			"The amz-sdk-invocation-id header is %d bytes; it must be at most %d printable ASCII characters.", n, maxInvocationIDChars)
	}
	return nil
}

// checkText: valid UTF-8, then 1 to max code points.
func checkText(name, v string, max int) error {
	if !utf8.ValidString(v) {
		return Invalid(TurkInvalidUTF8, "Value for parameter %s is not valid UTF-8.", name)
	}
	if n := utf8.RuneCountInString(v); n == 0 {
		return Invalid(TurkLengthOutOfRange, "Value for parameter %s is 0 characters; the minimum is 1.", name)
	} else if n > max {
		return Invalid(TurkLengthOutOfRange, "Value for parameter %s is %d characters; the maximum is %d.", name, n, max)
	}
	return nil
}

// checkWorkerID: 1 to 64 characters matching ^A[A-Z0-9]+$ (so at least 2). The pattern is
// ASCII, so bytes and characters agree for every id that passes; the length is still
// reported in characters.
func checkWorkerID(i int, id string) error {
	if !utf8.ValidString(id) {
		return Invalid(TurkInvalidUTF8, "Value for parameter WorkerIds[%d] is not valid UTF-8.", i)
	}
	if n := utf8.RuneCountInString(id); n > MaxWorkerIDChars {
		return Invalid(TurkLengthOutOfRange, "Value for parameter WorkerIds[%d] is %d characters; the maximum is %d.", i, n, MaxWorkerIDChars)
	}
	if !ValidWorkerID(id) {
		return Invalid(TurkInvalidWorkerID, "Value for parameter WorkerIds[%d] (%q, %d characters) does not match ^A[A-Z0-9]+$.",
			i, id, utf8.RuneCountInString(id))
	}
	return nil
}

// indexRune returns the character index and value of the first rune in s for which f holds.
func indexRune(s string, f func(rune) bool) (int, rune, bool) {
	i := 0
	for _, r := range s {
		if f(r) {
			return i, r, true
		}
		i++
	}
	return 0, 0, false
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
