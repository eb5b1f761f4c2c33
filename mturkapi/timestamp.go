package mturkapi

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"time"
)

// timestamp is AWS JSON 1.1's timestamp: epoch seconds as a JSON number, fractions allowed
// (the SDKs send and read it so). Outputs carry milliseconds, the precision turkmail stores.
type timestamp time.Time

// ts returns t as a timestamp member, or nil (member omitted) for the zero time.
func ts(t time.Time) *timestamp {
	if t.IsZero() {
		return nil
	}
	v := timestamp(t)
	return &v
}

func (t timestamp) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return []byte(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64)), nil
}

// UnmarshalJSON accepts a JSON number of epoch seconds. Anything else is reported as a type
// error, which the decoder turns into a RequestError naming the member.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil || len(b) == 0 || b[0] == '"' {
		return &json.UnmarshalTypeError{Value: tsJSONKind(b), Type: reflect.TypeFor[float64]()}
	}
	f, err := n.Float64()
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) || math.Abs(f) > 1e11 {
		return &json.UnmarshalTypeError{Value: "number " + n.String(), Type: reflect.TypeFor[float64]()}
	}
	sec, frac := math.Modf(f)
	*t = timestamp(time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC())
	return nil
}

func tsJSONKind(b []byte) string {
	if len(b) == 0 {
		return "value"
	}
	switch b[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "value"
}
