package mturkapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/turkmail/turkmail"
)

// decode reads an operation's input strictly: invalid UTF-8 and members of the wrong type
// are RequestErrors naming the member; unknown members are ignored, as AWS services do,
// and a member is known only under its exact name (see exactMembers); an empty body
// means {}.
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !utf8.Valid(body) {
		return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body is not valid UTF-8.")
	}
	if err := rejectBadEscapes(body); err != nil {
		return err
	}
	body = exactMembers(body, reflect.TypeOf(v))
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te) && te.Field != "":
			return requestError("AWS.MechanicalTurk.InvalidParameterValue",
				"Value for parameter %s must be of type %s, got a JSON %s.", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value)
		case errors.As(err, &te):
			return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body must be a JSON object, got a JSON %s.", te.Value)
		case errors.As(err, &se):
			return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body is not valid JSON (at byte %d).", se.Offset)
		default:
			return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body is not valid JSON.")
		}
	}
	if dec.More() {
		return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body holds more than one JSON value.")
	}
	return nil
}

// rejectBadEscapes refuses \u escapes of lone surrogates: encoding/json would quietly turn
// them into U+FFFD, and DESIGN §1 says invalid text is rejected, not replaced.
func rejectBadEscapes(body []byte) error {
	s := string(body)
	for i := strings.Index(s, `\u`); i >= 0; {
		// count the backslashes before: an escaped backslash is not an escape
		bs := 0
		for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 0 && i+6 <= len(s) {
			var r rune
			if _, err := fmt.Sscanf(s[i+2:i+6], "%04x", &r); err == nil && r >= 0xD800 && r <= 0xDFFF {
				if r >= 0xDC00 || i+12 > len(s) || s[i+6:i+8] != `\u` {
					return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body holds an unpaired UTF-16 surrogate escape.")
				}
				var lo rune
				if _, err := fmt.Sscanf(s[i+8:i+12], "%04x", &lo); err != nil || lo < 0xDC00 || lo > 0xDFFF {
					return requestError("AWS.MechanicalTurk.InvalidParameterValue", "The request body holds an unpaired UTF-16 surrogate escape.")
				}
				i += 6
			}
		}
		next := strings.Index(s[i+2:], `\u`)
		if next < 0 {
			break
		}
		i += 2 + next
	}
	return nil
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "struct", "map", "ptr":
		return "structure"
	case "bool":
		return "boolean"
	default:
		return "number"
	}
}

// encodeError renders e in MTurk's shape.
func encodeError(e *turkmail.Error) []byte {
	body := errorBody{Type: string(e.Code), Message: e.Message}
	if e.Code == turkmail.CodeRequestError || e.Code == turkmail.CodeServiceFault {
		body.TurkErrorCode = e.TurkErrorCode
	}
	b, _ := json.Marshal(body)
	return b
}
