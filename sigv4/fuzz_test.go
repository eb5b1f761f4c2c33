package sigv4_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// FuzzVerify: no Authorization header, date or body may make Verify panic,
// and Verify may succeed only when the signature is exactly the one the real
// AWS signer produces for that request with the right secret.
func FuzzVerify(f *testing.F) {
	r, body := defaultSigning().sign(f)
	f.Add(r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), body)
	f.Add(r.Header.Get("Authorization"), r.Header.Get("X-Amz-Date"), []byte(`{"x":1}`))
	f.Add(r.Header.Get("Authorization"), "20260314T150927Z", body)
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=00", "x", []byte(nil))
	f.Add("AWS4-HMAC-SHA256 ,,,=,==", "", []byte("{}"))
	f.Add("", "20260314T150926Z", []byte("{}"))

	v := newVerifier(signTime())
	valid := fuzzRequest(body)
	valid.Header.Set("Authorization", r.Header.Get("Authorization"))
	valid.Header.Set("X-Amz-Date", r.Header.Get("X-Amz-Date"))
	if _, err := v.Verify(context.Background(), valid, body); err != nil {
		f.Fatalf("the validly signed seed is refused, so the success oracle would never run: %v", err)
	}

	f.Fuzz(func(t *testing.T, auth, date string, body []byte) {
		r := fuzzRequest(body)
		r.Header.Set("Authorization", auth)
		r.Header.Set("X-Amz-Date", date)
		owner, err := v.Verify(context.Background(), r, body)
		if err != nil {
			return
		}
		if owner != testOwner {
			t.Fatalf("success with owner %q", owner)
		}
		at, perr := time.Parse("20060102T150405Z", strings.TrimSpace(date))
		if perr != nil {
			t.Fatalf("accepted a request with unparseable X-Amz-Date %q", date)
		}
		ref := fuzzRequest(body)
		signer := v4.NewSigner(credentials.NewStaticCredentials(testKeyID, testSecret, ""))
		if _, err := signer.Sign(ref, strings.NewReader(string(body)), testService, testRegion, at); err != nil {
			t.Fatal(err)
		}
		if got, want := signatureOf(auth), signatureOf(ref.Header.Get("Authorization")); got != want {
			t.Fatalf("accepted signature %q, the real signer gives %q", got, want)
		}
	})
}

func fuzzRequest(body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "https://mturk.example.test/", strings.NewReader(string(body)))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", testTarget)
	return r
}

func signatureOf(auth string) string {
	_, sig, _ := strings.Cut(auth, "Signature=")
	sig, _, _ = strings.Cut(sig, ",")
	return strings.TrimSpace(sig)
}

func BenchmarkVerify(b *testing.B) {
	s := defaultSigning()
	s.body = bigBody()
	r, body := s.sign(b)
	v := newVerifier(signTime())
	if _, err := v.Verify(context.Background(), r, body); err != nil { // warms the key cache
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(context.Background(), r, body); err != nil {
			b.Fatal(err)
		}
	}
}
