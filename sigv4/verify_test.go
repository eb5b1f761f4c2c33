package sigv4_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"

	"github.com/turkmail/turkmail/sigv4"
)

const (
	testKeyID   = "AKIDTURKMAILTEST"
	testSecret  = "tUrKmAiL/SeCrEt+KeY0123456789abcdefGHIJ"
	testOwner   = "requester-1"
	testService = "mturk-requester"
	testRegion  = "us-east-1"
	testTarget  = "MTurkRequesterServiceV20170117.GetAccountBalance"
	notifyBody  = `{"Subject":"Bonus","MessageText":"Thanks for your work","WorkerIds":["A1EXAMPLEWORKER"]}`
)

func signTime() time.Time { return time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC) }

// signing describes one client request, signed by the real AWS SDK signer.
type signing struct {
	method, url     string
	keyID, secret   string
	service, region string
	at              time.Time
	body            []byte
	header          http.Header // extra headers set before signing
	token           string
}

func defaultSigning() signing {
	return signing{
		method: http.MethodPost, url: "https://mturk.example.test/",
		keyID: testKeyID, secret: testSecret,
		service: testService, region: testRegion,
		at:   signTime(),
		body: []byte("{}"),
	}
}

// sign signs the request as aws-sdk-go does and returns it as the server
// would see it, after a round trip through the HTTP/1.1 wire format.
func (s signing) sign(t testing.TB) (*http.Request, []byte) {
	t.Helper()
	req, err := http.NewRequest(s.method, s.url, bytes.NewReader(s.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", testTarget)
	for k, vs := range s.header {
		req.Header[k] = vs
	}
	signer := v4.NewSigner(credentials.NewStaticCredentials(s.keyID, s.secret, s.token))
	if _, err := signer.Sign(req, bytes.NewReader(s.body), s.service, s.region, s.at); err != nil {
		t.Fatal(err)
	}
	return toServer(t, req), s.body
}

func toServer(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	var wire bytes.Buffer
	if err := req.Write(&wire); err != nil {
		t.Fatal(err)
	}
	sr, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, sr.Body); err != nil {
		t.Fatal(err)
	}
	return sr
}

func newVerifier(now time.Time) *sigv4.Verifier {
	return sigv4.NewVerifier(sigv4.Config{
		Service: testService,
		Region:  testRegion,
		Now:     func() time.Time { return now },
		Lookup:  staticLookup(testSecret),
	})
}

func staticLookup(secret string) sigv4.KeyLookup {
	return func(_ context.Context, id string) (string, string, error) {
		if id != testKeyID {
			return "", "", sigv4.ErrUnknownKey
		}
		return secret, testOwner, nil
	}
}

func TestVerifyAcceptsRealSigner(t *testing.T) {
	tests := []struct {
		name string
		s    func(s signing) signing
	}{
		{"GetAccountBalance {}", func(s signing) signing { return s }},
		{"empty body", func(s signing) signing { s.body = nil; return s }},
		{"NotifyWorkers JSON", func(s signing) signing { s.body = []byte(notifyBody); return s }},
		{"2 KB body", func(s signing) signing { s.body = bigBody(); return s }},
		{"query string", func(s signing) signing {
			s.method, s.url, s.body = http.MethodGet, "https://mturk.example.test/?b=2&a=x%20y&a=1&c=&d=%7E+", nil
			return s
		}},
		{"encoded path", func(s signing) signing { s.url = "https://mturk.example.test/a%20b/%E1%88%B4/c"; return s }},
		{"host with port", func(s signing) signing { s.url = "http://localhost:8443/"; return s }},
		{"session token", func(s signing) signing { s.token = "FwoGZXIvYXdzEXAMPLETOKEN"; return s }},
		{"header with runs of spaces", func(s signing) signing {
			s.header = http.Header{"X-Custom": {"  a   b  ", "c"}}
			return s
		}},
		{"correct x-amz-content-sha256", func(s signing) signing {
			s.header = http.Header{"X-Amz-Content-Sha256": {sha256Hex(s.body)}}
			return s
		}},
		{"14 minutes old", func(s signing) signing { s.at = signTime().Add(-14 * time.Minute); return s }},
		{"14 minutes ahead", func(s signing) signing { s.at = signTime().Add(14 * time.Minute); return s }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.s(defaultSigning()).sign(t)
			owner, err := newVerifier(signTime()).Verify(context.Background(), r, body)
			if err != nil || owner != testOwner {
				t.Fatalf("Verify = %q, %v; want %q, nil\nAuthorization: %s", owner, err, testOwner, r.Header.Get("Authorization"))
			}
		})
	}
}

// TestVerifyDateHeader covers signers that send Date instead of X-Amz-Date.
func TestVerifyDateHeader(t *testing.T) {
	r, err := http.NewRequest(http.MethodPost, "https://mturk.example.test/", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Date", signTime().Format(http.TimeFormat))
	r = toServer(t, r)
	signed := []string{"date", "host"}
	scope := "20260314/us-east-1/mturk-requester/aws4_request"
	sts := sigv4.StringToSign("20260314T150926Z", scope, sigv4.CanonicalRequest(r, []byte("{}"), signed))
	sig := sigv4.Signature(sigv4.SigningKey(testSecret, "20260314", testRegion, testService), sts)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testKeyID+"/"+scope+",SignedHeaders=date;host,Signature="+sig)

	if owner, err := newVerifier(signTime()).Verify(context.Background(), r, []byte("{}")); err != nil || owner != testOwner {
		t.Fatalf("Verify = %q, %v", owner, err)
	}
}

func TestVerifyErrors(t *testing.T) {
	type request func(t *testing.T) (*http.Request, []byte)
	signed := func(change func(s *signing)) request {
		return func(t *testing.T) (*http.Request, []byte) {
			s := defaultSigning()
			if change != nil {
				change(&s)
			}
			return s.sign(t)
		}
	}
	// after signs a valid request and then changes it as an attacker or a
	// broken proxy would.
	after := func(change func(r *http.Request)) request {
		return func(t *testing.T) (*http.Request, []byte) {
			r, body := defaultSigning().sign(t)
			change(r)
			return r, body
		}
	}
	editAuth := func(old, new string) request {
		return after(func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), old, new, 1))
		})
	}
	now := signTime()

	tests := []struct {
		name    string
		req     request
		now     time.Time
		code    string
		message string // substring
	}{
		{"no Authorization", func(t *testing.T) (*http.Request, []byte) {
			r, _ := http.NewRequest(http.MethodPost, "https://mturk.example.test/", nil)
			return toServer(t, r), nil
		}, now, sigv4.CodeMissingAuthenticationToken, "Missing Authentication Token"},
		{"presigned URL", func(t *testing.T) (*http.Request, []byte) {
			r, _ := http.NewRequest(http.MethodGet, "https://mturk.example.test/", nil)
			signer := v4.NewSigner(credentials.NewStaticCredentials(testKeyID, testSecret, ""))
			if _, err := signer.Presign(r, nil, testService, testRegion, time.Hour, now); err != nil {
				t.Fatal(err)
			}
			return toServer(t, r), nil
		}, now, sigv4.CodeMissingAuthenticationToken, "not supported"},
		{"unknown key", signed(func(s *signing) { s.keyID = "AKIDNOBODY" }), now, sigv4.CodeUnrecognizedClient, "security token"},
		{"wrong secret", signed(func(s *signing) { s.secret = "not-the-secret" }), now, sigv4.CodeInvalidSignature, "does not match"},
		{"tampered body", func(t *testing.T) (*http.Request, []byte) {
			r, _ := defaultSigning().sign(t)
			return r, []byte(`{"a":1}`)
		}, now, sigv4.CodeInvalidSignature, "does not match"},
		{"tampered header", after(func(r *http.Request) {
			r.Header.Set("X-Amz-Target", "MTurkRequesterServiceV20170117.NotifyWorkers")
		}), now, sigv4.CodeInvalidSignature, "does not match"},
		{"tampered query", after(func(r *http.Request) { r.URL.RawQuery = "x=1"; r.RequestURI = "/?x=1" }),
			now, sigv4.CodeInvalidSignature, "does not match"},
		{"20 minutes old", signed(nil), now.Add(20 * time.Minute), sigv4.CodeInvalidSignature,
			"Signature expired: 20260314T150926Z is now earlier than 20260314T151426Z (20260314T152926Z - 15 min.)"},
		{"20 minutes ahead", signed(nil), now.Add(-20 * time.Minute), sigv4.CodeInvalidSignature,
			"Signature not yet current: 20260314T150926Z is still later than 20260314T150426Z (20260314T144926Z + 15 min.)"},
		{"wrong region", signed(func(s *signing) { s.region = "eu-west-1" }), now, sigv4.CodeInvalidSignature,
			"Credential should be scoped to a valid region, not 'eu-west-1'."},
		{"wrong service", signed(func(s *signing) { s.service = "sqs" }), now, sigv4.CodeInvalidSignature,
			"Credential should be scoped to correct service: 'mturk-requester'."},
		{"wrong scope date", editAuth("/20260314/", "/20260313/"), now, sigv4.CodeInvalidSignature,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260313' != '20260314'"},
		{"wrong terminator", editAuth("/aws4_request", "/aws5_request"), now, sigv4.CodeInvalidSignature, "terminator"},
		{"missing signed header", after(func(r *http.Request) { r.Header.Del("X-Amz-Target") }), now,
			sigv4.CodeIncompleteSignature, "'x-amz-target' is listed in SignedHeaders but not present"},
		{"duplicate Authorization", after(func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) }), now,
			sigv4.CodeIncompleteSignature, "Only one Authorization header"},
		{"duplicate X-Amz-Date", after(func(r *http.Request) { r.Header.Add("X-Amz-Date", r.Header.Get("X-Amz-Date")) }), now,
			sigv4.CodeIncompleteSignature, "Only one X-Amz-Date header"},
		{"missing X-Amz-Date", after(func(r *http.Request) { r.Header.Del("X-Amz-Date") }), now,
			sigv4.CodeIncompleteSignature, "'X-Amz-Date' or a 'Date' header"},
		{"malformed X-Amz-Date", after(func(r *http.Request) { r.Header.Set("X-Amz-Date", "2026-03-14T15:09:26Z") }), now,
			sigv4.CodeIncompleteSignature, "ISO-8601 'basic format'"},
		{"SignedHeaders without host", editAuth("host;", ""), now,
			sigv4.CodeIncompleteSignature, "'Host' or ':authority' must be a 'SignedHeader'"},
		{"x-amz-content-sha256 mismatch", signed(func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {sha256Hex([]byte("something else"))}}
		}), now, sigv4.CodeInvalidSignature, "'x-amz-content-sha256' header does not match"},
		{"UNSIGNED-PAYLOAD", signed(func(s *signing) {
			s.header = http.Header{"X-Amz-Content-Sha256": {"UNSIGNED-PAYLOAD"}}
		}), now, sigv4.CodeInvalidSignature, "'x-amz-content-sha256' header does not match"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, body := tt.req(t)
			owner, err := newVerifier(tt.now).Verify(context.Background(), r, body)
			assertAuthError(t, owner, err, tt.code, tt.message)
			// The signature the server would expect, for a leak check.
			rightSig := sigv4.Signature(sigv4.SigningKey(testSecret, "20260314", testRegion, testService),
				sigv4.StringToSign("20260314T150926Z", "20260314/us-east-1/mturk-requester/aws4_request",
					sigv4.CanonicalRequest(r, body, []string{"content-length", "content-type", "host", "x-amz-date", "x-amz-target"})))
			if strings.Contains(err.Error(), rightSig) {
				t.Errorf("error leaks the expected signature: %v", err)
			}
		})
	}
}

func TestVerifyLookupFailureIsInternal(t *testing.T) {
	boom := errors.New("database is down")
	v := sigv4.NewVerifier(sigv4.Config{
		Service: testService, Region: testRegion,
		Now:    signTime,
		Lookup: func(context.Context, string) (string, string, error) { return "", "", boom },
	})
	r, body := defaultSigning().sign(t)
	_, err := v.Verify(context.Background(), r, body)
	var se *sigv4.Error
	if !errors.Is(err, boom) || errors.As(err, &se) {
		t.Fatalf("Verify = %v, want the lookup's own error", err)
	}
}

// TestVerifyRotatedSecret: a signing key cached for the old secret must not
// validate requests once the lookup returns a new one.
func TestVerifyRotatedSecret(t *testing.T) {
	secret := testSecret
	v := sigv4.NewVerifier(sigv4.Config{
		Service: testService, Region: testRegion, Now: signTime,
		Lookup: func(ctx context.Context, id string) (string, string, error) {
			return staticLookup(secret)(ctx, id)
		},
	})
	oldReq, body := defaultSigning().sign(t)
	if _, err := v.Verify(context.Background(), oldReq, body); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	secret = "rotated/SECRET/0000000000000000000000000"
	if _, err := v.Verify(context.Background(), oldReq, body); err == nil {
		t.Fatal("request signed with the old secret accepted after rotation")
	}
	s := defaultSigning()
	s.secret = secret
	newReq, body := s.sign(t)
	if _, err := v.Verify(context.Background(), newReq, body); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
}

func TestVerifyConcurrent(t *testing.T) {
	v := newVerifier(signTime())
	r, body := defaultSigning().sign(t)
	done := make(chan error)
	for range 8 {
		go func() {
			var err error
			for range 50 {
				if _, e := v.Verify(context.Background(), r, body); e != nil {
					err = e
				}
			}
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}

func assertAuthError(t *testing.T, owner string, err error, code, message string) {
	t.Helper()
	var se *sigv4.Error
	if !errors.As(err, &se) {
		t.Fatalf("Verify = %q, %v; want *sigv4.Error %s", owner, err, code)
	}
	if owner != "" {
		t.Errorf("owner %q returned with an error", owner)
	}
	if se.Code != code || !strings.Contains(se.Message, message) {
		t.Errorf("got %s %q; want %s containing %q", se.Code, se.Message, code, message)
	}
	if strings.Contains(err.Error(), testSecret) {
		t.Errorf("error leaks the secret: %v", err)
	}
}
