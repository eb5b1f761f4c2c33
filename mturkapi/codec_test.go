package mturkapi

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/turkmail/turkmail"
)

func TestDecode(t *testing.T) {
	type input struct {
		Subject   *string  `json:"Subject"`
		WorkerIds []string `json:"WorkerIds"`
		Max       *int     `json:"MaxResults"`
	}
	for _, tc := range []struct {
		name string
		body string
		want string // "" for success, else a part of the RequestError's message
	}{
		{"empty body is {}", "", ""},
		{"whitespace body is {}", "  \n", ""},
		{"unknown members ignored", `{"Subject":"hi","Whatever":[1,2]}`, ""},
		{"paired surrogate escape", `{"Subject":"\ud83d\ude00"}`, ""},
		{"escaped backslash before u", `{"Subject":"\\ud800"}`, ""},
		{"wrong type names the member", `{"Subject":5}`, "parameter Subject must be of type string"},
		{"list member given a string", `{"WorkerIds":"A1"}`, "parameter WorkerIds must be of type list"},
		{"number member given a string", `{"MaxResults":"10"}`, "parameter MaxResults must be of type number"},
		{"not an object", `[1]`, "must be a JSON object"},
		{"syntax error", `{"Subject":`, "not valid JSON"},
		{"two values", `{} {}`, "more than one JSON value"},
		// AWS matches member names exactly: a member whose case differs is unknown, ignored,
		// and cannot be the one whose type is checked.
		{"lowercase member is unknown, its type unchecked", `{"subject":5,"maxresults":"x"}`, ""},
		{"exact member checked beside a lowercase one", `{"subject":"hi","Subject":5}`, "parameter Subject must be of type string"},
		{"invalid UTF-8", "{\"Subject\":\"\xff\"}", "not valid UTF-8"},
		{"lone high surrogate", `{"Subject":"\ud800"}`, "unpaired UTF-16 surrogate"},
		{"lone low surrogate", `{"Subject":"\udc00x"}`, "unpaired UTF-16 surrogate"},
		{"high then non-low", `{"Subject":"\ud800\u0041"}`, "unpaired UTF-16 surrogate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in input
			err := decode([]byte(tc.body), &in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("decode(%q) = %v, want success", tc.body, err)
				}
				return
			}
			var e *turkmail.Error
			if !errors.As(err, &e) || e.Code != turkmail.CodeRequestError || !strings.Contains(e.Message, tc.want) {
				t.Fatalf("decode(%q) = %v, want RequestError containing %q", tc.body, err, tc.want)
			}
		})
	}
}

// TestDecodeMatchesNamesExactly: only exactly spelled members are read, at every depth and
// through embedded structs, as AWS reads them; encoding/json alone would fold case.
func TestDecodeMatchesNamesExactly(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       createHITInput
	}{
		{"exact names read", `{"Title":"T","MaxAssignments":2}`,
			createHITInput{NewHITType: turkmail.NewHITType{Title: ptr("T")}, HITParams: turkmail.HITParams{MaxAssignments: ptr(int64(2))}}},
		{"other case ignored at the top", `{"title":"T","TITLE":"U","maxAssignments":2}`, createHITInput{}},
		{"exact wins over other case, in either order", `{"title":"lower","Title":"T","TiTlE":"mixed"}`,
			createHITInput{NewHITType: turkmail.NewHITType{Title: ptr("T")}}},
		{"other case ignored when nested", `{"QualificationRequirements":[{"qualificationTypeId":"x","Comparator":"Exists"}]}`,
			createHITInput{NewHITType: turkmail.NewHITType{QualificationRequirements: []turkmail.QualificationRequirement{{Comparator: "Exists"}}}}},
		{"strings kept as written", `{"Title":"<b>&amp;</b>","x":1}`,
			createHITInput{NewHITType: turkmail.NewHITType{Title: ptr("<b>&amp;</b>")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got createHITInput
			if err := decode([]byte(tc.body), &got); err != nil {
				t.Fatalf("decode(%s) = %v", tc.body, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("decode(%s) = %+v, want %+v", tc.body, got, tc.want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestParseTarget(t *testing.T) {
	for _, tc := range []struct {
		values   []string
		op, pref string
		ok       bool
	}{
		{[]string{"MTurkRequesterServiceV20170117.GetAccountBalance"}, "GetAccountBalance", mturkPrefix, true},
		{[]string{"Turkmail20261201.ListNotifications"}, "ListNotifications", turkmailPrefix, true},
		{nil, "", "", false},
		{[]string{""}, "", "", false},
		{[]string{"GetAccountBalance"}, "", "", false},
		{[]string{"MTurkRequesterServiceV20170117."}, "", "", false},
		{[]string{"MTurkRequesterServiceV20170117.A.B"}, "", "", false},
		{[]string{"DynamoDB_20120810.GetItem"}, "", "", false},
		{[]string{"MTurkRequesterServiceV20170117.X", "MTurkRequesterServiceV20170117.Y"}, "", "", false},
		{[]string{"MTurkRequesterServiceV20170117." + strings.Repeat("A", 65)}, "", "", false},
		{[]string{"\xff\xfe.\x00"}, "", "", false},
	} {
		op, pref, err := parseTarget(tc.values)
		if tc.ok != (err == nil) || (tc.ok && (op != tc.op || pref != tc.pref)) {
			t.Errorf("parseTarget(%q) = %q, %q, %v", tc.values, op, pref, err)
		}
		var e *turkmail.Error
		if err != nil && (!errors.As(err, &e) || e.Code != turkmail.CodeUnknownOperation || !strings.Contains(quoteShort(e.Message), e.Message[:1])) {
			t.Errorf("parseTarget(%q) error %v is not an UnknownOperationException", tc.values, err)
		}
	}
}
