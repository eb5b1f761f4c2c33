package mturkapi

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/turkmail/turkmail"
)

func TestTimestampJSON(t *testing.T) {
	b, _ := json.Marshal(ts(time.UnixMilli(1796307533506)))
	if string(b) != "1796307533.506" {
		t.Fatalf("marshal: %s", b)
	}
	b, _ = json.Marshal(ts(time.Unix(1796307533, 0)))
	if string(b) != "1796307533" {
		t.Fatalf("marshal whole seconds: %s", b)
	}
	for _, tc := range []struct {
		body string
		want time.Time
		err  string
	}{
		{`{"HITId":"3A","ExpireAt":1796307533.25}`, time.UnixMilli(1796307533250).UTC(), ""},
		{`{"HITId":"3A","ExpireAt":0}`, time.Unix(0, 0).UTC(), ""},
		{`{"HITId":"3A","ExpireAt":"2026-12-01T00:00:00Z"}`, time.Time{}, "ExpireAt must be of type number, got a JSON string"},
		{`{"HITId":"3A","ExpireAt":1e300}`, time.Time{}, "ExpireAt"},
	} {
		var in updateExpirationForHITInput
		err := decode([]byte(tc.body), &in)
		switch {
		case tc.err == "" && (err != nil || !time.Time(*in.ExpireAt).Equal(tc.want)):
			t.Errorf("%s: got %v, %v", tc.body, in.ExpireAt, err)
		case tc.err != "" && (err == nil || turkmail.AsError(err).Code != turkmail.CodeRequestError || !strings.Contains(turkmail.AsError(err).Message, tc.err)):
			t.Errorf("%s: got %v, want a RequestError mentioning %q", tc.body, err, tc.err)
		}
	}
}

func TestAnswerXML(t *testing.T) {
	got := AnswerXML(map[string][]string{"assignmentId": {"3X"}, "q2": {"a", "b"}, "q1": {`<x> & "y"`}})
	want := `<Answer><QuestionIdentifier>q1</QuestionIdentifier><FreeText>&lt;x&gt; &amp; &#34;y&#34;</FreeText></Answer>` + "\n" +
		`<Answer><QuestionIdentifier>q2</QuestionIdentifier><FreeText>a|b</FreeText></Answer>`
	if !strings.Contains(got, want) || strings.Contains(got, "assignmentId") || !strings.HasPrefix(got, `<?xml`) {
		t.Fatalf("AnswerXML:\n%s", got)
	}
	dec := xml.NewDecoder(strings.NewReader(got))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("AnswerXML is not well-formed: %v", err)
		}
	}
}
