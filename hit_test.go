package turkmail

import (
	"testing"
	"time"
)

func TestParseReward(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0.50", 50, true}, {"1", 100, true}, {"1.", 100, true}, {"1.5", 150, true}, {"12.34", 1234, true},
		{"", 0, false}, {".5", 0, false}, {"1.234", 0, false}, {"-1", 0, false}, {"1,50", 0, false}, {"1e2", 0, false},
	} {
		got, err := parseReward(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parseReward(%q) = %d, %v", tc.in, got, err)
		}
	}
}

func TestCheckQuestion(t *testing.T) {
	for _, tc := range []struct {
		q  string
		ok bool
	}{
		{`<ExternalQuestion><ExternalURL>https://x</ExternalURL></ExternalQuestion>`, true},
		{`<?xml version="1.0"?><QuestionForm xmlns="x"><Question/></QuestionForm>`, true},
		{`<HTMLQuestion><HTMLContent><![CDATA[<p>hi</p>]]></HTMLContent></HTMLQuestion>`, true},
		{`<QuestionForm>`, false},
		{`<Other/>`, false},
		{`plain text`, false},
		{"<QuestionForm>" + string(make([]byte, 70000)) + "</QuestionForm>", false},
	} {
		if err := checkQuestion(tc.q); (err == nil) != tc.ok {
			t.Errorf("checkQuestion(%.40q) = %v, want ok=%v", tc.q, err, tc.ok)
		}
	}
}

func TestHITStatus(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	later, earlier := now.Add(time.Hour), now.Add(-time.Hour)
	for _, tc := range []struct {
		name string
		h    HIT
		want string
	}{
		{"open", HIT{MaxAssignments: 2, Expiration: later}, HITAssignable},
		{"one slot left", HIT{MaxAssignments: 2, Taken: 1, Pending: 1, Expiration: later}, HITAssignable},
		{"full, work in progress", HIT{MaxAssignments: 2, Taken: 2, Pending: 1, Expiration: later}, HITUnassignable},
		{"expired, work in progress", HIT{MaxAssignments: 2, Taken: 1, Pending: 1, Expiration: earlier}, HITUnassignable},
		{"full, all submitted", HIT{MaxAssignments: 2, Taken: 2, Expiration: later}, HITReviewable},
		{"expired, nothing done", HIT{MaxAssignments: 2, Expiration: earlier}, HITReviewable},
		{"expires exactly now", HIT{MaxAssignments: 2, Expiration: now}, HITReviewable},
		{"disposed", HIT{MaxAssignments: 2, Expiration: later, Disposed: true}, HITDisposed},
		{"marked, expired", HIT{MaxAssignments: 2, Expiration: earlier, Reviewing: true}, HITReviewing},
		{"marked, open again", HIT{MaxAssignments: 2, Expiration: later, Reviewing: true}, HITAssignable},
		{"marked, work in progress", HIT{MaxAssignments: 2, Taken: 1, Pending: 1, Expiration: earlier, Reviewing: true}, HITUnassignable},
		{"marked, disposed", HIT{MaxAssignments: 2, Expiration: earlier, Reviewing: true, Disposed: true}, HITDisposed},
	} {
		if got := tc.h.Status(now); got != tc.want {
			t.Errorf("%s: Status = %s, want %s", tc.name, got, tc.want)
		}
	}
}
