package mturkapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"github.com/turkmail/turkmail"
)

// NotificationIDHeader carries the notification id of a NotifyWorkers answer (replays too),
// for later delivery-status look-ups; MTurk's body has no place for it.
const NotificationIDHeader = "X-Turkmail-Notification-Id"

// invocationIDHeader is the id every AWS SDK gives one logical call, the same on each of its
// retries: the idempotency key (DESIGN §2).
const invocationIDHeader = "amz-sdk-invocation-id"

// notifyWorkers decodes by hand rather than through op[In]: the rules need missing, null,
// wrongly typed and empty told apart, invalid UTF-8 blamed on the parameter that holds it,
// and member names matched exactly (encoding/json matches struct fields case-insensitively).
func notifyWorkers(ctx context.Context, c *call) (any, error) {
	in, err := decodeNotifyWorkers(c.body)
	if err != nil {
		return nil, err
	}
	in.RequesterID = c.requesterID
	in.InvocationID = c.r.Header.Get(invocationIDHeader)
	res, err := c.svc.NotifyWorkers(ctx, in)
	if err != nil {
		return nil, err
	}
	c.header.Set(NotificationIDHeader, res.NotificationID)
	// The body exactly as first committed: json.Marshal of a RawMessage only compacts it,
	// and it is already compact, so replays are byte-for-byte.
	return json.RawMessage(res.Response), nil
}

// decodeNotifyWorkers reads NotifyWorkers' input. It checks presence and JSON types and
// UTF-8; the Service checks everything else (turkmail.NotifyInput.Validate).
func decodeNotifyWorkers(body []byte) (turkmail.NotifyInput, error) {
	var in turkmail.NotifyInput
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return in, bodyError(body, err)
	}
	if members == nil { // the body was null
		return in, requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body must be a JSON object, got a JSON null.")
	}
	var err error
	if in.Subject, err = stringMember(members, "Subject"); err != nil {
		return in, err
	}
	if in.MessageText, err = stringMember(members, "MessageText"); err != nil {
		return in, err
	}
	if in.WorkerIDs, err = stringListMember(members, "WorkerIds"); err != nil {
		return in, err
	}
	// Invalid text in members we do not read is refused too (DESIGN §1).
	if !utf8.Valid(body) {
		return in, requestError(turkmail.TurkInvalidUTF8, "The request body is not valid UTF-8.")
	}
	if err := rejectBadEscapes(body); err != nil {
		return in, err
	}
	return in, nil
}

// bodyError explains why the body is not a JSON object.
func bodyError(body []byte, err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body must be a JSON object, got a JSON %s.", te.Value)
	case errors.As(err, &se):
		return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body is not valid JSON (at byte %d).", se.Offset)
	}
	return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body is not valid JSON.")
}

// stringMember returns a required string member.
func stringMember(members map[string]json.RawMessage, name string) (string, error) {
	raw, ok := members[name]
	if !ok || isNull(raw) {
		return "", missing(name)
	}
	return decodeString(name, raw)
}

// stringListMember returns a required list-of-strings member.
func stringListMember(members map[string]json.RawMessage, name string) ([]string, error) {
	raw, ok := members[name]
	if !ok || isNull(raw) {
		return nil, missing(name)
	}
	if raw[0] != '[' {
		return nil, wrongType(name, "list", raw)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, requestError(turkmail.TurkInvalidParameterType, "Value for parameter %s is not a valid JSON list.", name)
	}
	out := make([]string, len(items))
	for i, item := range items {
		v, err := decodeString(name+"["+strconv.Itoa(i)+"]", item)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// decodeString decodes one JSON string, refusing what encoding/json would quietly replace
// with U+FFFD: raw invalid UTF-8 and unpaired surrogate escapes.
func decodeString(name string, raw json.RawMessage) (string, error) {
	if raw[0] != '"' {
		return "", wrongType(name, "string", raw)
	}
	if !utf8.Valid(raw) {
		return "", requestError(turkmail.TurkInvalidUTF8, "Value for parameter %s is not valid UTF-8.", name)
	}
	if bytes.IndexByte(raw, '\\') < 0 {
		// No escapes (the usual case, and every worker id): json.Unmarshal already checked
		// raw is one JSON string, so its value is exactly the bytes between the quotes.
		return string(raw[1 : len(raw)-1]), nil
	}
	if rejectBadEscapes(raw) != nil {
		return "", requestError(turkmail.TurkInvalidUTF8, "Value for parameter %s is not valid UTF-8.", name)
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", requestError(turkmail.TurkInvalidParameterType, "Value for parameter %s is not a valid JSON string.", name)
	}
	return s, nil
}

func missing(name string) error {
	return requestError(turkmail.TurkMissingParameter, "Value for parameter %s is missing; it is required.", name)
}

func wrongType(name, want string, raw json.RawMessage) error {
	return requestError(turkmail.TurkInvalidParameterType, "Value for parameter %s must be a %s, got a JSON %s.", name, want, jsonKind(raw))
}

// jsonKind names the JSON type of a value json.Unmarshal already accepted (so raw is not empty).
func jsonKind(raw json.RawMessage) string {
	switch raw[0] {
	case '"':
		return "string"
	case '[':
		return "list"
	case '{':
		return "object"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func isNull(raw json.RawMessage) bool { return string(raw) == "null" }
