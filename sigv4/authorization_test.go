package sigv4_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/turkmail/turkmail/sigv4"
)

// TestVerifyMalformedAuthorization feeds broken Authorization headers to an
// otherwise well-formed request.
func TestVerifyMalformedAuthorization(t *testing.T) {
	const (
		cred = "Credential=" + testKeyID + "/20260314/us-east-1/mturk-requester/aws4_request"
		sh   = "SignedHeaders=host;x-amz-date"
		sig  = "Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	)
	tests := []struct{ name, header, message string }{
		{"empty", "", "algorithm"},
		{"spaces", "   ", "algorithm"},
		{"garbage", "\x00\xff garbage", "algorithm"},
		{"basic auth", "Basic dXNlcjpwYXNz", "algorithm"},
		{"other algorithm", "AWS4-HMAC-SHA512 " + cred + ", " + sh + ", " + sig, "algorithm"},
		{"sigv2", "AWS " + testKeyID + ":c2lnbmF0dXJl", "algorithm"},
		{"algorithm only", "AWS4-HMAC-SHA256", "requires 'Credential' parameter"},
		{"missing Credential", "AWS4-HMAC-SHA256 " + sh + ", " + sig, "requires 'Credential' parameter"},
		{"missing SignedHeaders", "AWS4-HMAC-SHA256 " + cred + ", " + sig, "requires 'SignedHeaders' parameter"},
		{"missing Signature", "AWS4-HMAC-SHA256 " + cred + ", " + sh, "requires 'Signature' parameter"},
		{"part without =", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature", "not of the form key=value"},
		{"unknown part", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig + ", Foo=bar", "Unexpected parameter 'Foo'"},
		{"repeated part", "AWS4-HMAC-SHA256 " + cred + ", " + cred + ", " + sh + ", " + sig, "more than one 'Credential'"},
		{"lowercase key", "AWS4-HMAC-SHA256 credential=" + testKeyID + "/20260314/us-east-1/mturk-requester/aws4_request, " + sh + ", " + sig, "Unexpected parameter"},
		{"credential too short", "AWS4-HMAC-SHA256 Credential=" + testKeyID + "/20260314/us-east-1, " + sh + ", " + sig, "exactly 5 slash-delimited"},
		{"credential too long", "AWS4-HMAC-SHA256 " + cred + "/x, " + sh + ", " + sig, "exactly 5 slash-delimited"},
		{"empty key id", "AWS4-HMAC-SHA256 Credential=/20260314/us-east-1/mturk-requester/aws4_request, " + sh + ", " + sig, "exactly 5 slash-delimited"},
		{"empty SignedHeaders", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, " + sig, "must not be empty"},
		{"uppercase SignedHeaders", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host;X-Amz-Date, " + sig, "lowercase"},
		{"unsorted SignedHeaders", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date;host, " + sig, "sorted"},
		{"duplicate SignedHeaders", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;host;x-amz-date, " + sig, "sorted"},
		{"empty header name", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig, "lowercase"},
		{"bad hex", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=zz23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "64 lowercase hexadecimal"},
		{"uppercase hex", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "64 lowercase hexadecimal"},
		{"short signature", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=abcd", "64 lowercase hexadecimal"},
		{"empty signature", "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=", "64 lowercase hexadecimal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodPost, "https://mturk.example.test/", strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("X-Amz-Date", "20260314T150926Z")
			r = toServer(t, r)
			r.Header.Set("Authorization", tt.header) // after the wire: some of these could not cross it
			owner, verr := newVerifier(signTime()).Verify(context.Background(), r, []byte("{}"))
			assertAuthError(t, owner, verr, sigv4.CodeIncompleteSignature, tt.message)
		})
	}
}

// TestVerifyAuthorizationLayout: the three parts in any order, with or
// without spaces after the commas, are the same header.
func TestVerifyAuthorizationLayout(t *testing.T) {
	r, body := defaultSigning().sign(t)
	auth := r.Header.Get("Authorization")
	parts := strings.Split(strings.TrimPrefix(auth, "AWS4-HMAC-SHA256 "), ", ")
	if len(parts) != 3 {
		t.Fatalf("unexpected signer output %q", auth)
	}
	c, sh, sig := parts[0], parts[1], parts[2]
	for _, h := range []string{
		"AWS4-HMAC-SHA256 " + c + "," + sh + "," + sig,
		"AWS4-HMAC-SHA256 " + sig + ", " + c + ", " + sh,
		"AWS4-HMAC-SHA256 " + sh + ",  " + sig + "," + c,
		"  AWS4-HMAC-SHA256 " + c + ", " + sh + ", " + sig + "  ",
	} {
		r.Header.Set("Authorization", h)
		if _, err := newVerifier(signTime()).Verify(context.Background(), r, body); err != nil {
			t.Errorf("Authorization %q: %v", h, err)
		}
	}
}
