package mturkapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/storetest"
)

// What reaches the endpoint that is not a well-formed MTurk call gets a clear 4xx in MTurk's
// error shape, and the server goes on answering.
func TestEndpointRefusesWhatIsNotAnMTurkCall(t *testing.T) {
	srv := apitest.Start(t, storetest.Open(t, "sqlite"))
	creds := srv.NewRequester(t, "Routing Lab")
	signer := v4.NewSigner(credentials.NewStaticCredentials(creds.AccessKeyID, creds.SecretAccessKey, ""))
	req := func(method, path, target, ctype string, body []byte, sign bool) *http.Request {
		r, _ := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
		if target != "" {
			r.Header.Set("X-Amz-Target", target)
		}
		r.Header.Set("Content-Type", ctype)
		if sign {
			signer.Sign(r, bytes.NewReader(body), "mturk-requester", apitest.Region, time.Now())
		}
		return r
	}
	const jsonType = "application/x-amz-json-1.1"
	big := append([]byte(`{"x":"`), append(bytes.Repeat([]byte("a"), 1<<20), '"', '}')...)
	for _, tc := range []struct {
		name    string
		req     *http.Request
		status  int
		typ     string
		message string
	}{
		{"GET /", req("GET", "/", "", jsonType, nil, false), 405, "MethodNotAllowedException", "POST only"},
		{"other path", req("POST", "/nope", "", jsonType, nil, false), 404, "NotFoundException", "/nope"},
		{"no target", req("POST", "/", "", jsonType, []byte("{}"), true), 400, "UnknownOperationException", "X-Amz-Target"},
		{"target without dot", req("POST", "/", "GetAccountBalance", jsonType, []byte("{}"), true), 400, "UnknownOperationException", "GetAccountBalance"},
		{"unknown operation", req("POST", "/", "MTurkRequesterServiceV20170117.MakeCoffee", jsonType, []byte("{}"), true), 400, "UnknownOperationException", "MakeCoffee"},
		{"MTurk operation not supported", req("POST", "/", "MTurkRequesterServiceV20170117.SendBonus", jsonType, []byte("{}"), true), 400, "RequestError", "SendBonus is not supported"},
		{"wrong content type", req("POST", "/", "MTurkRequesterServiceV20170117.GetAccountBalance", "text/xml", []byte("{}"), true), 415, "UnsupportedMediaTypeException", "Content-Type"},
		{"body over 1 MiB", req("POST", "/", "MTurkRequesterServiceV20170117.GetAccountBalance", jsonType, big, true), 413, "RequestEntityTooLargeException", "1 MiB"},
		{"invalid UTF-8", req("POST", "/", "MTurkRequesterServiceV20170117.GetAccountBalance", jsonType, []byte("{\"a\":\"\xff\"}"), true), 400, "RequestError", "UTF-8"},
		// AWS matches member names exactly: "hitid" is an unknown member, ignored, so HITId is missing.
		{"member names are case-sensitive", req("POST", "/", "MTurkRequesterServiceV20170117.GetHIT", jsonType, []byte(`{"hitid":"3NOSUCHHIT"}`), true), 400, "RequestError", "must include HITId"},
		{"still serving", req("POST", "/", "MTurkRequesterServiceV20170117.GetAccountBalance", jsonType, []byte("{}"), true), 200, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]string
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.status || body["__type"] != tc.typ || !strings.Contains(body["Message"], tc.message) {
				t.Fatalf("got %d %v, want %d %s containing %q", resp.StatusCode, body, tc.status, tc.typ, tc.message)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Fatal("no x-amzn-RequestId")
			}
		})
	}
}
