package mturkapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/awserr"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/request"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
	"github.com/aws/aws-sdk-go/service/mturk"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/apitest"
	"github.com/turkmail/turkmail/sqlstore"
	"github.com/turkmail/turkmail/storetest"
)

// The SDK, signing as a real client does, against the real listener: the right keys work,
// and each way of getting them wrong gets AWS's own error code.
func TestGetAccountBalanceWithSDK(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *sqlstore.Store) {
		srv := apitest.Start(t, s)
		creds := srv.NewRequester(t, "Balance Lab")

		out, err := srv.SDK(t, creds).GetAccountBalance(&mturk.GetAccountBalanceInput{})
		if err != nil {
			t.Fatalf("GetAccountBalance: %v", err)
		}
		if *out.AvailableBalance != "10000.00" || *out.OnHoldBalance != "0.00" {
			t.Fatalf("balance = %s / %s, want 10000.00 / 0.00", *out.AvailableBalance, *out.OnHoldBalance)
		}

		wrongSecret := creds
		wrongSecret.SecretAccessKey = strings.Repeat("x", 40)
		unknownKey := creds
		unknownKey.AccessKeyID = "AKIAUNKNOWNUNKNOWN00"
		for _, tc := range []struct {
			name  string
			creds turkmail.Credentials
			code  string
		}{
			{"wrong secret", wrongSecret, "InvalidSignatureException"},
			{"unknown key", unknownKey, "UnrecognizedClientException"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := srv.SDK(t, tc.creds).GetAccountBalance(&mturk.GetAccountBalanceInput{})
				assertAWSError(t, err, tc.code, "")
			})
		}

		// What a client cannot be made to send by its credentials alone: no signature at all
		// (a Sign handler removed), a body changed after it was signed.
		t.Run("no Authorization", func(t *testing.T) {
			req, _ := srv.SDK(t, creds).GetAccountBalanceRequest(&mturk.GetAccountBalanceInput{})
			req.Handlers.Sign.Clear()
			assertAWSError(t, req.Send(), "MissingAuthenticationToken", "")
		})
		t.Run("tampered body", func(t *testing.T) {
			req, _ := srv.SDK(t, creds).GetAccountBalanceRequest(&mturk.GetAccountBalanceInput{})
			req.Handlers.Sign.PushBack(func(r *request.Request) {
				r.SetStringBody(`{"x":1}`)
				r.HTTPRequest.ContentLength = int64(len(`{"x":1}`))
			})
			assertAWSError(t, req.Send(), "InvalidSignatureException", "")
		})

		t.Run("date 20 minutes old", func(t *testing.T) {
			srv.Clock.Advance(20 * time.Minute)
			defer srv.Clock.Advance(-20 * time.Minute)
			_, err := srv.SDK(t, creds).GetAccountBalance(&mturk.GetAccountBalanceInput{})
			assertAWSError(t, err, "InvalidSignatureException", "Signature expired")
		})

		// Every request above was logged (at debug level), and no secret with it.
		logs := srv.Log.String()
		if !strings.Contains(logs, "GetAccountBalance") {
			t.Fatalf("requests were not logged:\n%s", logs)
		}
		for _, secret := range []string{creds.SecretAccessKey, wrongSecret.SecretAccessKey} {
			if strings.Contains(logs, secret) {
				t.Fatalf("a secret key reached the log:\n%s", logs)
			}
		}
	})
}

func assertAWSError(t *testing.T, err error, code, msgPart string) {
	t.Helper()
	ae, ok := err.(awserr.Error)
	if !ok {
		t.Fatalf("error = %v (%T), want an awserr.Error with code %s", err, err, code)
	}
	if ae.Code() != code || !strings.Contains(ae.Message(), msgPart) {
		t.Fatalf("error = %s: %q, want %s containing %q", ae.Code(), ae.Message(), code, msgPart)
	}
}

// Raw requests, for what no SDK would send: a body changed after signing, no signature.
func TestRawRequestsRefused(t *testing.T) {
	srv := apitest.Start(t, storetest.Open(t, "sqlite"))
	creds := srv.NewRequester(t, "Raw Lab")
	signer := v4.NewSigner(credentials.NewStaticCredentials(creds.AccessKeyID, creds.SecretAccessKey, ""))

	newReq := func(body string) *http.Request {
		r, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-amz-json-1.1")
		r.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.GetAccountBalance")
		return r
	}
	signed := func(signBody, sendBody string) *http.Request {
		r := newReq(signBody)
		if _, err := signer.Sign(r, bytes.NewReader([]byte(signBody)), "mturk-requester", apitest.Region, time.Now()); err != nil {
			t.Fatal(err)
		}
		r.Body = io.NopCloser(strings.NewReader(sendBody))
		r.ContentLength = int64(len(sendBody))
		return r
	}
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
		typ    string
	}{
		{"signed", signed("{}", "{}"), 200, ""},
		{"tampered body", signed("{}", `{"x":1}`), 400, "InvalidSignatureException"},
		{"no Authorization", newReq("{}"), 400, "MissingAuthenticationToken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != tc.status || (tc.typ != "" && body["__type"] != tc.typ) {
				t.Fatalf("got %d %v, want %d %s", resp.StatusCode, body, tc.status, tc.typ)
			}
			if resp.Header.Get("x-amzn-RequestId") == "" {
				t.Fatal("no x-amzn-RequestId header")
			}
		})
	}
}

// boto3 and the AWS CLI, as users run them.
func TestGetAccountBalanceWithPythonClients(t *testing.T) {
	srv := apitest.Start(t, storetest.Open(t, "sqlite"))
	creds := srv.NewRequester(t, "Python Lab")

	out, stderr, code := srv.Python(t, creds, `
import os, boto3, botocore
c = boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1")
print(c.get_account_balance()["AvailableBalance"])
from botocore.config import Config
def client(**kw):
    return boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1", **kw)
def failure(c):
    try:
        c.get_account_balance()
        return "no error"
    except botocore.exceptions.ClientError as e:
        return "%s %d" % (e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
def tamper(request, **kw):
    request.body = b'{"x":1}'
    request.headers["Content-Length"] = str(len(request.body))
tampered = client()
tampered.meta.events.register("before-send.mturk.GetAccountBalance", tamper)
print(failure(client(aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="x" * 40)))
print(failure(client(aws_access_key_id="AKIAUNKNOWNUNKNOWN00", aws_secret_access_key="x" * 40)))
print(failure(client(config=Config(signature_version=botocore.UNSIGNED))))
print(failure(tampered))
`)
	want := "10000.00\nInvalidSignatureException 400\nUnrecognizedClientException 400\nMissingAuthenticationToken 400\nInvalidSignatureException 400\n"
	if code != 0 || out != want {
		t.Fatalf("boto3 printed %q, want %q (stderr %q, exit %d)", out, want, stderr, code)
	}
	// The server's clock 20 minutes ahead: boto3's X-Amz-Date is 20 minutes old.
	srv.Clock.Advance(20 * time.Minute)
	out, stderr, code = srv.Python(t, creds, `
import os, boto3, botocore
try:
    boto3.client("mturk", endpoint_url=os.environ["TURKMAIL_ENDPOINT"], region_name="us-east-1").get_account_balance()
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["Error"]["Message"])
`)
	srv.Clock.Advance(-20 * time.Minute)
	if code != 0 || !strings.HasPrefix(out, "InvalidSignatureException Signature expired") {
		t.Fatalf("boto3 with a date 20 minutes old printed %q (stderr %q, exit %d)", out, stderr, code)
	}

	out, stderr, code = srv.AWSCLI(t, creds, "mturk", "get-account-balance")
	var bal map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &bal) != nil || bal["AvailableBalance"] != "10000.00" || bal["OnHoldBalance"] != "0.00" {
		t.Fatalf("aws mturk get-account-balance printed %q (stderr %q, exit %d)", out, stderr, code)
	}
	wrong := creds
	wrong.AccessKeyID = "AKIAUNKNOWNUNKNOWN00"
	_, stderr, code = srv.AWSCLI(t, wrong, "mturk", "get-account-balance")
	if code == 0 || !strings.Contains(stderr, "(UnrecognizedClientException) when calling the GetAccountBalance operation") {
		t.Fatalf("aws CLI with an unknown key: exit %d, stderr %q", code, stderr)
	}
}
