package mturkapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/mturk"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/mturkapi"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

const noWorkMessage = "Cannot send a notification to a worker who has not done any work for you"

// notifyServer is a running endpoint with a requester and two eligible workers, AOK1 and AOK2.
func notifyServer(t *testing.T, s *sqlstore.Store, c apitest.Config) (*apitest.Server, turkmail.Credentials) {
	t.Helper()
	srv := apitest.StartWith(t, s, c)
	creds := srv.NewRequester(t, "Notify Lab")
	storetest.SeedReviewedWorker(t, s, srv.Service, creds.RequesterID, "AOK1", "ok1@example.org", true)
	storetest.SeedReviewedWorker(t, s, srv.Service, creds.RequesterID, "AOK2", "ok2@example.org", false)
	return srv, creds
}

// notifyRaw sends a NotifyWorkers body signed as the SDKs sign it, and returns the answer as
// it came: status, headers, body.
func notifyRaw(t *testing.T, url string, c turkmail.Credentials, body, invocationID string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.NotifyWorkers")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if invocationID != "" {
		req.Header.Set("amz-sdk-invocation-id", invocationID)
	}
	signer := v4.NewSigner(credentials.NewStaticCredentials(c.AccessKeyID, c.SecretAccessKey, ""))
	if _, err := signer.Sign(req, strings.NewReader(body), "mturk-requester", apitest.Region, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

func deliveriesOf(t *testing.T, s *sqlstore.Store, requesterID, notificationID string) int {
	t.Helper()
	r, err := s.NotificationReport(context.Background(), requesterID, notificationID)
	if err != nil {
		t.Fatalf("notification %q: %v", notificationID, err)
	}
	return r.WorkerCount
}

// The raw wire: MTurk's body exactly, the notification id header, replays byte-for-byte,
// and RequestErrors with their TurkErrorCode.
func TestNotifyWorkersRawJSON(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		srv, creds := notifyServer(t, s, apitest.Config{})
		status, h, body := notifyRaw(t, srv.URL, creds, `{"Subject":"New HITs","MessageText":"Hello","WorkerIds":["AOK1","AOK2","AOK1"]}`, "")
		id := h.Get(mturkapi.NotificationIDHeader)
		if status != 200 || body != `{"NotifyWorkersFailureStatuses":[]}` || id == "" || h.Get("Content-Type") != "application/x-amz-json-1.1" {
			t.Fatalf("all accepted: %d %q header %q", status, body, id)
		}
		if n := deliveriesOf(t, s, creds.RequesterID, id); n != 2 {
			t.Fatalf("%d deliveries, want 2", n)
		}

		req := `{"Subject":"S","MessageText":"T","WorkerIds":["ANOPE","AOK1","ANOPE"]}`
		status, h, body = notifyRaw(t, srv.URL, creds, req, "3b9f3e4c-8a53-4c0e-9d2b-5a3c1f0e7d21")
		want := `{"NotifyWorkersFailureStatuses":[{"NotifyWorkersFailureCode":"HardFailure","NotifyWorkersFailureMessage":"` + noWorkMessage + `","WorkerId":"ANOPE"}]}`
		if status != 200 || body != want {
			t.Fatalf("got %d %s\nwant %s", status, body, want)
		}
		first := h.Get(mturkapi.NotificationIDHeader)
		status, h, again := notifyRaw(t, srv.URL, creds, req, "3b9f3e4c-8a53-4c0e-9d2b-5a3c1f0e7d21")
		if status != 200 || again != body || h.Get(mturkapi.NotificationIDHeader) != first {
			t.Fatalf("replay: %d %s %s; want %s %s", status, again, h.Get(mturkapi.NotificationIDHeader), body, first)
		}
		if n := deliveriesOf(t, s, creds.RequesterID, first); n != 1 {
			t.Fatalf("%d deliveries after a replay, want 1", n)
		}

		for _, tc := range []struct{ body, turk, msg string }{
			{`{"Subject":"` + strings.Repeat("é", 201) + `","MessageText":"T","WorkerIds":["AOK1"]}`, turkmail.TurkLengthOutOfRange,
				"Value for parameter Subject is 201 characters; the maximum is 200."},
			{`{"MessageText":"T","WorkerIds":["AOK1"]}`, turkmail.TurkMissingParameter, "Value for parameter Subject is missing; it is required."},
			{`{"Subject":"S","MessageText":"T","WorkerIds":"AOK1"}`, turkmail.TurkInvalidParameterType, "Value for parameter WorkerIds must be a list, got a JSON string."},
			{`{"Subject":"S\r\nBcc: a@b","MessageText":"T","WorkerIds":["AOK1"]}`, turkmail.TurkInvalidCharacter, "control character U+000D"},
		} {
			status, h, body := notifyRaw(t, srv.URL, creds, tc.body, "")
			var e map[string]string
			if err := json.Unmarshal([]byte(body), &e); err != nil || status != 400 || e["__type"] != "RequestError" ||
				e["TurkErrorCode"] != tc.turk || !strings.Contains(e["Message"], tc.msg) || h.Get(mturkapi.NotificationIDHeader) != "" || h.Get("x-amzn-RequestId") == "" {
				t.Fatalf("%s: %d %s", tc.body, status, body)
			}
		}
	})
}

// aws-sdk-go v1, retries off: what the SDK surfaces for each outcome.
func TestNotifyWorkersSDK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		srv, creds := notifyServer(t, s, apitest.Config{Options: turkmail.Options{NotifyRate: 1, NotifyBurst: 3}})
		c := srv.SDK(t, creds)
		req, out := c.NotifyWorkersRequest(&mturk.NotifyWorkersInput{Subject: aws.String("Hi"), MessageText: aws.String("New work"),
			WorkerIds: aws.StringSlice([]string{"AOK1", "AGHOST", "AOK2", "AGHOST"})})
		if err := req.Send(); err != nil {
			t.Fatal(err)
		}
		if len(out.NotifyWorkersFailureStatuses) != 1 {
			t.Fatalf("statuses %v, want one", out.NotifyWorkersFailureStatuses)
		}
		st := out.NotifyWorkersFailureStatuses[0]
		if *st.WorkerId != "AGHOST" || *st.NotifyWorkersFailureCode != mturk.NotifyWorkersFailureCodeHardFailure || *st.NotifyWorkersFailureMessage != noWorkMessage {
			t.Fatalf("status %v", st)
		}
		id := req.HTTPResponse.Header.Get(mturkapi.NotificationIDHeader)
		if n := deliveriesOf(t, s, creds.RequesterID, id); n != 2 {
			t.Fatalf("%d deliveries, want 2", n)
		}
		// aws-sdk-go v1, unlike botocore and the v2 SDKs, sends no amz-sdk-invocation-id, so
		// its retries are not deduplicated (docs/notify-workers.md says so). Should that
		// change, the idempotency tests here must cover it too.
		if v := req.HTTPRequest.Header.Get("amz-sdk-invocation-id"); v != "" {
			t.Fatalf("aws-sdk-go v1 now sends amz-sdk-invocation-id %q: update docs/notify-workers.md", v)
		}

		_, err := c.NotifyWorkers(&mturk.NotifyWorkersInput{Subject: aws.String(strings.Repeat("😀", 201)), MessageText: aws.String("T"), WorkerIds: aws.StringSlice([]string{"AOK1"})})
		rf, ok := err.(awserr.RequestFailure)
		if !ok || rf.Code() != "RequestError" || rf.StatusCode() != 400 || rf.Message() != "Value for parameter Subject is 201 characters; the maximum is 200." {
			t.Fatalf("err = %v", err)
		}
		// The SDK's modelled exception carries the TurkErrorCode.
		var re *mturk.RequestError
		if !errors.As(err, &re) || aws.StringValue(re.TurkErrorCode) != turkmail.TurkLengthOutOfRange {
			t.Fatalf("err = %#v, want *mturk.RequestError with TurkErrorCode %s", err, turkmail.TurkLengthOutOfRange)
		}
		// The SDK checks presence only; the server says which limit.
		_, err = c.NotifyWorkers(&mturk.NotifyWorkersInput{Subject: aws.String("S"), MessageText: aws.String("T"), WorkerIds: aws.StringSlice([]string{})})
		if rf, ok := err.(awserr.RequestFailure); !ok || rf.Code() != "RequestError" || !strings.Contains(rf.Message(), "WorkerIds has 0 entries") {
			t.Fatalf("err = %v", err)
		}
		// The burst of 3 is spent (one success, two refusals were validated first and cost
		// nothing... so spend it), then ThrottlingException.
		var last error
		for range 5 {
			_, last = c.NotifyWorkers(&mturk.NotifyWorkersInput{Subject: aws.String("S"), MessageText: aws.String("T"), WorkerIds: aws.StringSlice([]string{"AOK1"})})
			if last != nil {
				break
			}
		}
		if rf, ok := last.(awserr.RequestFailure); !ok || rf.Code() != "ThrottlingException" || rf.StatusCode() != 400 {
			t.Fatalf("err = %v, want ThrottlingException", last)
		}
	})
}

// boto3 and the AWS CLI, as users run them.
func TestNotifyWorkersPythonClients(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		srv, creds := notifyServer(t, s, apitest.Config{Options: turkmail.Options{NotifyRate: 5, NotifyBurst: 1}})
		out, stderr, code := srv.Python(t, creds, `
import os, json, boto3, botocore
from botocore.config import Config
c = boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1",
                 config=Config(retries={"mode": "standard", "max_attempts": 10}))
r = c.notify_workers(Subject="New HITs", MessageText="Hello", WorkerIds=["AOK1", "ANOPE", "AOK1"])
print(json.dumps(r["NotifyWorkersFailureStatuses"]))
print(r["ResponseMetadata"]["HTTPHeaders"]["x-turkmail-notification-id"] != "")
# The bucket holds one call: the next ones are throttled, and boto3 retries them by itself.
retries = 0
for i in range(4):
    r = c.notify_workers(Subject="Again", MessageText="Hello", WorkerIds=["AOK2"])
    retries += r["ResponseMetadata"]["RetryAttempts"]
print(r["NotifyWorkersFailureStatuses"], retries > 0)
try:
    c.notify_workers(Subject="S", MessageText="T", WorkerIds=["not-an-id"])
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response.get("TurkErrorCode"))
    print(e.response["Error"]["Message"])
`)
		want := `[{"NotifyWorkersFailureCode": "HardFailure", "NotifyWorkersFailureMessage": "` + noWorkMessage + `", "WorkerId": "ANOPE"}]
True
[] True
RequestError 400 AWS.MechanicalTurk.InvalidWorkerId
Value for parameter WorkerIds[0] ("not-an-id", 9 characters) does not match ^A[A-Z0-9]+$.
`
		if code != 0 || out != want {
			t.Fatalf("boto3 printed:\n%s\nwant:\n%s\nstderr %s, exit %d", out, want, stderr, code)
		}
		if !strings.Contains(srv.Log.String(), "code=ThrottlingException") {
			t.Fatal("no call was throttled: the retry path was not exercised")
		}

		srv.Clock.Advance(time.Second) // refill
		out, stderr, code = srv.AWSCLI(t, creds, "mturk", "notify-workers", "--subject", "Über", "--message-text", "Hi",
			"--worker-ids", "AOK1", "AGHOST")
		var resp struct{ NotifyWorkersFailureStatuses []map[string]string }
		if code != 0 || json.Unmarshal([]byte(out), &resp) != nil || len(resp.NotifyWorkersFailureStatuses) != 1 ||
			resp.NotifyWorkersFailureStatuses[0]["WorkerId"] != "AGHOST" || resp.NotifyWorkersFailureStatuses[0]["NotifyWorkersFailureCode"] != "HardFailure" {
			t.Fatalf("aws mturk notify-workers printed %q (stderr %q, exit %d)", out, stderr, code)
		}
		srv.Clock.Advance(time.Second)
		_, stderr, code = srv.AWSCLI(t, creds, "mturk", "notify-workers", "--subject", strings.Repeat("x", 201), "--message-text", "Hi", "--worker-ids", "AOK1")
		if code == 0 || !strings.Contains(stderr, "An error occurred (RequestError) when calling the NotifyWorkers operation: Value for parameter Subject is 201 characters; the maximum is 200.") {
			t.Fatalf("aws CLI with a long subject: exit %d, stderr %q", code, stderr)
		}
	})
}
