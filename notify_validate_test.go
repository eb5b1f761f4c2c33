package turkmail

import (
	"errors"
	"strings"
	"testing"
)

func TestNotifyInputValidate(t *testing.T) {
	ok := func() NotifyInput {
		return NotifyInput{RequesterID: "AREQ", Subject: "Hello", MessageText: "Thanks for your work.", WorkerIDs: []string{"AW1"}}
	}
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = "AW" + strings.Repeat("1", i%5+1)
		}
		return out
	}
	tests := []struct {
		name     string
		edit     func(*NotifyInput)
		turkCode string // "" means valid
		message  string // a part of the message
	}{
		{"valid", func(*NotifyInput) {}, "", ""},
		{"subject 200 é", func(in *NotifyInput) { in.Subject = strings.Repeat("é", 200) }, "", ""},
		{"subject 200 emoji", func(in *NotifyInput) { in.Subject = strings.Repeat("😀", 200) }, "", ""},
		{"subject 201 é", func(in *NotifyInput) { in.Subject = strings.Repeat("é", 201) }, TurkLengthOutOfRange,
			"Value for parameter Subject is 201 characters; the maximum is 200."},
		{"subject 201 emoji", func(in *NotifyInput) { in.Subject = strings.Repeat("😀", 201) }, TurkLengthOutOfRange,
			"Subject is 201 characters; the maximum is 200."},
		{"subject empty", func(in *NotifyInput) { in.Subject = "" }, TurkLengthOutOfRange,
			"Value for parameter Subject is 0 characters; the minimum is 1."},
		{"subject LF", func(in *NotifyInput) { in.Subject = "Hi\nBcc: x@example.org" }, TurkInvalidCharacter,
			"Subject contains the control character U+000A at character 3"},
		{"subject CR", func(in *NotifyInput) { in.Subject = "Hi\r" }, TurkInvalidCharacter, "U+000D"},
		{"subject tab", func(in *NotifyInput) { in.Subject = "a\tb" }, TurkInvalidCharacter, "U+0009"},
		{"subject DEL", func(in *NotifyInput) { in.Subject = "a\x7fb" }, TurkInvalidCharacter, "U+007F"},
		{"subject C1 NEL", func(in *NotifyInput) { in.Subject = "a\u0085b" }, TurkInvalidCharacter, "U+0085"},
		{"subject NUL", func(in *NotifyInput) { in.Subject = "a\x00" }, TurkInvalidCharacter, "U+0000"},
		{"subject invalid UTF-8", func(in *NotifyInput) { in.Subject = "a\xffb" }, TurkInvalidUTF8, "Subject is not valid UTF-8"},
		{"message 4096 emoji", func(in *NotifyInput) { in.MessageText = strings.Repeat("😀", 4096) }, "", ""},
		{"message 4096 é", func(in *NotifyInput) { in.MessageText = strings.Repeat("é", 4096) }, "", ""},
		{"message 4097 é", func(in *NotifyInput) { in.MessageText = strings.Repeat("é", 4097) }, TurkLengthOutOfRange,
			"Value for parameter MessageText is 4097 characters; the maximum is 4096."},
		{"message 4097 emoji", func(in *NotifyInput) { in.MessageText = strings.Repeat("😀", 4097) }, TurkLengthOutOfRange,
			"Value for parameter MessageText is 4097 characters; the maximum is 4096."},
		{"message with line breaks and tabs", func(in *NotifyInput) { in.MessageText = "a\r\nb\tc\n" }, "", ""},
		{"message 4097", func(in *NotifyInput) { in.MessageText = strings.Repeat("x", 4097) }, TurkLengthOutOfRange,
			"Value for parameter MessageText is 4097 characters; the maximum is 4096."},
		{"message empty", func(in *NotifyInput) { in.MessageText = "" }, TurkLengthOutOfRange, "MessageText is 0 characters; the minimum is 1."},
		{"message NUL", func(in *NotifyInput) { in.MessageText = "ab\x00" }, TurkInvalidCharacter,
			"MessageText contains a NUL character (U+0000) at character 3"},
		{"message invalid UTF-8", func(in *NotifyInput) { in.MessageText = "\xc3" }, TurkInvalidUTF8, "MessageText is not valid UTF-8"},
		{"100 ids", func(in *NotifyInput) { in.WorkerIDs = ids(100) }, "", ""},
		{"100 duplicates", func(in *NotifyInput) { in.WorkerIDs = make([]string, 100); fill(in.WorkerIDs, "AW1") }, "", ""},
		{"101 ids counted as sent", func(in *NotifyInput) { in.WorkerIDs = make([]string, 101); fill(in.WorkerIDs, "AW1") },
			TurkWorkerIDCountOutOfRange, "Value for parameter WorkerIds has 101 entries; it must have 1 to 100."},
		{"no ids", func(in *NotifyInput) { in.WorkerIDs = []string{} }, TurkWorkerIDCountOutOfRange, "WorkerIds has 0 entries"},
		{"nil ids", func(in *NotifyInput) { in.WorkerIDs = nil }, TurkWorkerIDCountOutOfRange, "WorkerIds has 0 entries"},
		{"id 64", func(in *NotifyInput) { in.WorkerIDs = []string{"A" + strings.Repeat("B", 63)} }, "", ""},
		{"id 65", func(in *NotifyInput) { in.WorkerIDs = []string{"AW1", "A" + strings.Repeat("B", 64)} }, TurkLengthOutOfRange,
			"Value for parameter WorkerIds[1] is 65 characters; the maximum is 64."},
		{"id lower case", func(in *NotifyInput) { in.WorkerIDs = []string{"Aw1"} }, TurkInvalidWorkerID, `WorkerIds[0] ("Aw1", 3 characters) does not match ^A[A-Z0-9]+$`},
		{"id just A", func(in *NotifyInput) { in.WorkerIDs = []string{"A"} }, TurkInvalidWorkerID, "does not match"},
		{"id empty", func(in *NotifyInput) { in.WorkerIDs = []string{""} }, TurkInvalidWorkerID, "does not match"},
		{"id not A", func(in *NotifyInput) { in.WorkerIDs = []string{"BW1"} }, TurkInvalidWorkerID, "does not match"},
		{"id with newline", func(in *NotifyInput) { in.WorkerIDs = []string{"AW1\n"} }, TurkInvalidWorkerID, `"AW1\n"`},
		{"id invalid UTF-8", func(in *NotifyInput) { in.WorkerIDs = []string{"AW\xff"} }, TurkInvalidUTF8, "WorkerIds[0] is not valid UTF-8"},
		{"invocation id uuid", func(in *NotifyInput) { in.InvocationID = "0d4f6a3c-6a0e-4c55-9d3e-2b3c6a8f9e10" }, "", ""},
		{"invocation id too long", func(in *NotifyInput) { in.InvocationID = strings.Repeat("x", 129) }, TurkInvalidInvocationID, "129 bytes"},
		{"invocation id control", func(in *NotifyInput) { in.InvocationID = "a\x01" }, TurkInvalidInvocationID, "printable ASCII"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := ok()
			tc.edit(&in)
			err := in.Validate()
			if tc.turkCode == "" {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Validate() = %v, want *Error", err)
			}
			if e.Code != CodeRequestError || e.TurkErrorCode != tc.turkCode || !strings.Contains(e.Message, tc.message) {
				t.Fatalf("Validate() = %s / %s / %q; want RequestError / %s / containing %q", e.Code, e.TurkErrorCode, e.Message, tc.turkCode, tc.message)
			}
		})
	}
}

func fill(s []string, v string) {
	for i := range s {
		s[i] = v
	}
}

func TestParseNotifyCap(t *testing.T) {
	tests := []struct {
		in     string
		count  int
		window string
		bad    bool
	}{
		{"10/24h", 10, "24h0m0s", false},
		{"3/30m", 3, "30m0s", false},
		{"off", -1, "24h0m0s", false},
		{"OFF", -1, "24h0m0s", false},
		{"0/24h", 0, "", true},
		{"10", 0, "", true},
		{"10/", 0, "", true},
		{"x/24h", 0, "", true},
		{"10/-1h", 0, "", true},
	}
	for _, tc := range tests {
		n, d, err := ParseNotifyCap(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseNotifyCap(%q) = %d, %v; want an error", tc.in, n, d)
			}
			continue
		}
		if err != nil || n != tc.count || d.String() != tc.window {
			t.Errorf("ParseNotifyCap(%q) = %d, %v, %v; want %d, %s", tc.in, n, d, err, tc.count, tc.window)
		}
	}
}
