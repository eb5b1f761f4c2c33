package mturkapi

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/turkmail/turkmail"
)

func TestDecodeNotifyWorkers(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		turkCode string // "" means decoded
		message  string
	}{
		{"valid", `{"Subject":"Hi","MessageText":"Text","WorkerIds":["AW1","AW2"]}`, "", ""},
		{"unknown members ignored", `{"Subject":"Hi","MessageText":"Text","WorkerIds":["AW1"],"Extra":{"a":[1]}}`, "", ""},
		{"empty body", ``, turkmail.TurkMissingParameter, "Value for parameter Subject is missing; it is required."},
		{"empty object", `{}`, turkmail.TurkMissingParameter, "Subject is missing"},
		{"null subject is missing", `{"Subject":null,"MessageText":"T","WorkerIds":["AW1"]}`, turkmail.TurkMissingParameter, "Subject is missing"},
		{"member names are case-sensitive", `{"subject":"Hi","MessageText":"T","WorkerIds":["AW1"]}`, turkmail.TurkMissingParameter, "Subject is missing"},
		{"message missing", `{"Subject":"Hi","WorkerIds":["AW1"]}`, turkmail.TurkMissingParameter, "MessageText is missing"},
		{"ids missing", `{"Subject":"Hi","MessageText":"T"}`, turkmail.TurkMissingParameter, "WorkerIds is missing"},
		{"subject a number", `{"Subject":5,"MessageText":"T","WorkerIds":["AW1"]}`, turkmail.TurkInvalidParameterType,
			"Value for parameter Subject must be a string, got a JSON number."},
		{"message a list", `{"Subject":"S","MessageText":["T"],"WorkerIds":["AW1"]}`, turkmail.TurkInvalidParameterType, "MessageText must be a string, got a JSON list."},
		{"ids a string", `{"Subject":"S","MessageText":"T","WorkerIds":"AW1"}`, turkmail.TurkInvalidParameterType, "WorkerIds must be a list, got a JSON string."},
		{"ids an object", `{"Subject":"S","MessageText":"T","WorkerIds":{}}`, turkmail.TurkInvalidParameterType, "WorkerIds must be a list, got a JSON object."},
		{"id a number", `{"Subject":"S","MessageText":"T","WorkerIds":["AW1",7]}`, turkmail.TurkInvalidParameterType, "WorkerIds[1] must be a string, got a JSON number."},
		{"id null", `{"Subject":"S","MessageText":"T","WorkerIds":[null]}`, turkmail.TurkInvalidParameterType, "WorkerIds[0] must be a string, got a JSON null."},
		{"empty subject decodes (the Service refuses it)", `{"Subject":"","MessageText":"T","WorkerIds":[]}`, "", ""},
		{"body a list", `[]`, "AWS.MechanicalTurk.InvalidParameterValue", "must be a JSON object, got a JSON array"},
		{"body null", `null`, "AWS.MechanicalTurk.InvalidParameterValue", "must be a JSON object, got a JSON null"},
		{"not JSON", `{"Subject":`, "AWS.MechanicalTurk.InvalidParameterValue", "not valid JSON"},
		{"two values", `{} {}`, "AWS.MechanicalTurk.InvalidParameterValue", "not valid JSON"},
		{"invalid UTF-8 in subject", "{\"Subject\":\"a\xffb\",\"MessageText\":\"T\",\"WorkerIds\":[\"AW1\"]}", turkmail.TurkInvalidUTF8,
			"Value for parameter Subject is not valid UTF-8."},
		{"invalid UTF-8 in an id", "{\"Subject\":\"S\",\"MessageText\":\"T\",\"WorkerIds\":[\"AW\xc3\"]}", turkmail.TurkInvalidUTF8, "WorkerIds[0] is not valid UTF-8"},
		{"invalid UTF-8 elsewhere", "{\"Subject\":\"S\",\"MessageText\":\"T\",\"WorkerIds\":[\"AW1\"],\"X\":\"\xff\"}", turkmail.TurkInvalidUTF8, "request body is not valid UTF-8"},
		{"lone surrogate escape in message", `{"Subject":"S","MessageText":"a\ud800b","WorkerIds":["AW1"]}`, turkmail.TurkInvalidUTF8, "MessageText is not valid UTF-8"},
		{"paired surrogate escape is fine", `{"Subject":"\ud83d\ude00","MessageText":"T","WorkerIds":["AW1"]}`, "", ""},
		{"escaped backslash before u is not an escape", `{"Subject":"\\ud800","MessageText":"T","WorkerIds":["AW1"]}`, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeNotifyWorkers([]byte(tc.body))
			if tc.turkCode == "" {
				if err != nil {
					t.Fatalf("decode = %v, want success", err)
				}
				return
			}
			var e *turkmail.Error
			if !errors.As(err, &e) || e.Code != turkmail.CodeRequestError || e.TurkErrorCode != tc.turkCode || !strings.Contains(e.Message, tc.message) {
				t.Fatalf("decode = %v; want RequestError %s containing %q", err, tc.turkCode, tc.message)
			}
		})
	}
}

// Characters are code points whether the client sends them raw or as JSON escapes (boto3
// sends raw UTF-8; other encoders escape, emoji as surrogate pairs): 200 and 4,096 pass,
// one more fails, through decoding and validation as the handler runs them.
func TestNotifyWorkersCountsEscapedCharacters(t *testing.T) {
	body := func(subject, text string) string {
		return `{"Subject":"` + subject + `","MessageText":"` + text + `","WorkerIds":["AW1"]}`
	}
	tests := []struct {
		name, body, message string // message "" means accepted
	}{
		{"subject 200 escaped é", body(strings.Repeat(`\u00e9`, 200), "T"), ""},
		{"subject 200 escaped emoji", body(strings.Repeat(`\ud83d\ude00`, 200), "T"), ""},
		{"subject 201 escaped é", body(strings.Repeat(`\u00e9`, 201), "T"), "Value for parameter Subject is 201 characters; the maximum is 200."},
		{"subject 201 escaped emoji", body(strings.Repeat(`\ud83d\ude00`, 201), "T"), "Value for parameter Subject is 201 characters; the maximum is 200."},
		{"text 4096 raw é", body("S", strings.Repeat("é", 4096)), ""},
		{"text 4096 escaped emoji", body("S", strings.Repeat(`\ud83d\ude00`, 4096)), ""},
		{"text 4097 raw é", body("S", strings.Repeat("é", 4097)), "Value for parameter MessageText is 4097 characters; the maximum is 4096."},
		{"text 4097 escaped emoji", body("S", strings.Repeat(`\ud83d\ude00`, 4097)), "Value for parameter MessageText is 4097 characters; the maximum is 4096."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, err := decodeNotifyWorkers([]byte(tc.body))
			if err == nil {
				err = in.Validate()
			}
			if tc.message == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *turkmail.Error
			if !errors.As(err, &e) || e.Code != turkmail.CodeRequestError || e.TurkErrorCode != turkmail.TurkLengthOutOfRange || e.Message != tc.message {
				t.Fatalf("err = %v; want RequestError %s %q", err, turkmail.TurkLengthOutOfRange, tc.message)
			}
		})
	}
}

// FuzzNotifyWorkersDecode feeds arbitrary bodies through decoding and validation, as the
// handler does. It must never panic, every refusal must be a RequestError, and whatever is
// accepted must pass the rules as checked here independently (with a regexp, rune counts,
// and a second JSON reading).
func FuzzNotifyWorkersDecode(f *testing.F) {
	for _, seed := range notifyFuzzSeeds() {
		f.Add([]byte(seed))
	}
	workerID := regexp.MustCompile(`^A[A-Z0-9]+$`)
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := decodeNotifyWorkers(body)
		if err == nil {
			in.RequesterID = "AREQ"
			err = in.Validate()
		}
		if err != nil {
			var e *turkmail.Error
			if !errors.As(err, &e) || e.Code != turkmail.CodeRequestError || e.TurkErrorCode == "" || e.Message == "" || !utf8.ValidString(e.Message) {
				t.Fatalf("refusal %#v is not a well-formed RequestError", err)
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatalf("accepted invalid UTF-8: %q", body)
		}
		check := func(name, v string, max int) {
			if n := utf8.RuneCountInString(v); n < 1 || n > max || !utf8.ValidString(v) {
				t.Fatalf("accepted %s of %d characters: %q", name, n, v)
			}
			// encoding/json's stand-in for what it could not decode must come from the body.
			if strings.ContainsRune(v, utf8.RuneError) && !strings.Contains(string(body), "\uFFFD") && !strings.Contains(strings.ToLower(string(body)), `\ufffd`) {
				t.Fatalf("accepted %s with a replaced character: %q from %q", name, v, body)
			}
		}
		check("Subject", in.Subject, 200)
		check("MessageText", in.MessageText, 4096)
		if strings.ContainsFunc(in.Subject, func(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }) {
			t.Fatalf("accepted a control character in Subject: %q", in.Subject)
		}
		if strings.ContainsRune(in.MessageText, 0) {
			t.Fatalf("accepted NUL in MessageText")
		}
		if n := len(in.WorkerIDs); n < 1 || n > 100 {
			t.Fatalf("accepted %d WorkerIds", n)
		}
		for _, id := range in.WorkerIDs {
			if len(id) > 64 || !workerID.MatchString(id) {
				t.Fatalf("accepted WorkerId %q", id)
			}
		}
	})
}

func notifyFuzzSeeds() []string {
	ids := func(n int) string {
		s := make([]string, n)
		for i := range s {
			s[i] = fmt.Sprintf("%q", fmt.Sprintf("AW%d", i))
		}
		return "[" + strings.Join(s, ",") + "]"
	}
	body := func(subject, text, workerIDs string) string {
		return `{"Subject":` + subject + `,"MessageText":` + text + `,"WorkerIds":` + workerIDs + `}`
	}
	q := func(s string) string { return fmt.Sprintf("%q", s) }
	return []string{
		body(`"Hello"`, `"Thanks for your work."`, `["AW1"]`),
		body(q(strings.Repeat("é", 200)), q(strings.Repeat("😀", 4096)), ids(100)),
		body(q(strings.Repeat("é", 201)), `"T"`, `["AW1"]`),
		body(`"S"`, q(strings.Repeat("x", 4097)), `["AW1"]`),
		body(`"S"`, `"T"`, ids(101)),
		body(`""`, `""`, `[]`),
		body(`"Hi\r\nBcc: x@example.org"`, `"T"`, `["AW1"]`),
		body(`"S"`, `"a\u0000b"`, `["AW1"]`),
		body(`"S"`, `"T"`, `["aw1","A","","AW1\n","`+strings.Repeat("A", 65)+`"]`),
		body(`"\ud800"`, `"T"`, `["AW1"]`),
		body(`"\ud83d\ude00"`, `"\\ud800"`, `["AW1","AW1","AW1"]`),
		body(`5`, `["T"]`, `"AW1"`),
		body(`null`, `null`, `null`),
		body(`"S"`, `"T"`, `[null, 1, {}, []]`),
		"{\"Subject\":\"a\xffb\",\"MessageText\":\"T\",\"WorkerIds\":[\"AW1\"]}",
		"{\"Subject\":\"S\",\"MessageText\":\"T\",\"WorkerIds\":[\"AW1\"],\"X\":\"\xc3\"}",
		`{"subject":"S","messagetext":"T","workerids":["AW1"]}`,
		`{"Subject":"S","Subject":"T","MessageText":"T","WorkerIds":["AW1"]}`,
		`[]`, `null`, `{}`, ``, `{`, `{} {}`, `"x"`,
	}
}
