// Package sigv4 verifies AWS Signature Version 4 (header form) on incoming
// HTTP requests, so that turkmail can authenticate unmodified AWS clients
// (boto3, the AWS CLI, the AWS SDKs) exactly as AWS would: same
// canonicalisation, same credential-scope and clock-window rules, same error
// codes. It knows nothing about the rest of turkmail; secrets come from a
// KeyLookup supplied by the caller.
//
// Presigned (query-string) URLs, chunked/streaming payloads and S3-style
// (un-normalised) paths are not supported: no MTurk client uses them.
package sigv4

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// KeyLookup returns the secret access key and its owner for an access key id.
// It returns ErrUnknownKey when the id does not exist; any other error is
// treated as an internal failure.
type KeyLookup func(ctx context.Context, accessKeyID string) (secret string, owner string, err error)

// Config configures a Verifier.
type Config struct {
	Service string        // signing name, e.g. "mturk-requester"
	Region  string        // e.g. "us-east-1"
	Window  time.Duration // allowed clock skew either way; 0 means 15 minutes, as AWS
	Now     func() time.Time
	Lookup  KeyLookup
}

// DefaultWindow is AWS's allowed clock skew.
const DefaultWindow = 15 * time.Minute

const amzDateLayout = "20060102T150405Z"

// Verifier checks SigV4 signatures. It is safe for concurrent use.
type Verifier struct {
	service, region string
	window          time.Duration
	now             func() time.Time
	lookup          KeyLookup
	keys            *keyCache
}

// NewVerifier returns a Verifier for c. It panics if Service, Region or
// Lookup is missing: that is a wiring mistake, not a runtime condition.
func NewVerifier(c Config) *Verifier {
	if c.Service == "" || c.Region == "" || c.Lookup == nil {
		panic("sigv4: Config needs Service, Region and Lookup")
	}
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Verifier{
		service: c.Service,
		region:  c.Region,
		window:  c.Window,
		now:     c.Now,
		lookup:  c.Lookup,
		keys:    newKeyCache(),
	}
}

// Verify checks r's signature over body, the bytes the server read (their
// hash is computed here: botocore sends no X-Amz-Content-Sha256). It returns
// the owner of the access key on success. Authentication failures are *Error;
// any other error comes from the KeyLookup and is returned unchanged.
//
// Cheap structural checks run before the key lookup so that garbage never
// reaches the key store.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (owner string, err error) {
	auths := r.Header.Values("Authorization")
	switch {
	case len(auths) == 0:
		if r.URL != nil && hasQueryParam(r.URL.RawQuery, "X-Amz-Algorithm") {
			return "", &Error{Code: CodeMissingAuthenticationToken,
				Message: "Query-string (presigned URL) authentication is not supported; sign the request with an Authorization header."}
		}
		return "", &Error{Code: CodeMissingAuthenticationToken, Message: "Missing Authentication Token"}
	case len(auths) > 1:
		return "", incomplete("Only one Authorization header is allowed.")
	}
	a, aerr := parseAuthorization(auths[0])
	if aerr != nil {
		return "", aerr
	}
	when, amzDate, derr := requestTime(r)
	if derr != nil {
		return "", derr
	}
	for _, name := range a.signedHeaders {
		if !headerPresent(r, name) {
			return "", incomplete("Header '" + printable(name) + "' is listed in SignedHeaders but not present in the request.")
		}
	}
	if serr := v.checkScope(a.scope, amzDate); serr != nil {
		return "", serr
	}
	if werr := v.checkWindow(when); werr != nil {
		return "", werr
	}
	payloadHash := hashHex(body)
	if cerr := checkContentSHA256(r, payloadHash); cerr != nil {
		return "", cerr
	}

	secret, owner, err := v.lookup(ctx, a.accessKeyID)
	if errors.Is(err, ErrUnknownKey) {
		return "", &Error{Code: CodeUnrecognizedClient, Message: "The security token included in the request is invalid."}
	}
	if err != nil {
		return "", err
	}

	key := v.keys.signingKey(a.accessKeyID, secret, a.scope.date, a.scope.region, a.scope.service)
	sts := StringToSign(amzDate, a.scope.String(), canonicalRequest(r, payloadHash, a.signedHeaders))
	want := Signature(key, sts)
	if subtle.ConstantTimeCompare([]byte(want), []byte(a.signature)) != 1 {
		return "", invalid("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
	}
	return owner, nil
}

// requestTime reads the signing time from X-Amz-Date or, failing that, Date.
// More than one value is refused: which one the client signed is ambiguous.
func requestTime(r *http.Request) (time.Time, string, *Error) {
	if xs := r.Header.Values("X-Amz-Date"); len(xs) > 0 {
		if len(xs) > 1 {
			return time.Time{}, "", incomplete("Only one X-Amz-Date header is allowed.")
		}
		s := strings.Trim(xs[0], " \t")
		t, err := time.Parse(amzDateLayout, s)
		if err != nil || len(s) != len(amzDateLayout) {
			return time.Time{}, "", incomplete("Date must be in ISO-8601 'basic format'. Got '" + printable(s) + "'.")
		}
		return t, s, nil
	}
	if ds := r.Header.Values("Date"); len(ds) > 0 {
		if len(ds) > 1 {
			return time.Time{}, "", incomplete("Only one Date header is allowed.")
		}
		t, err := http.ParseTime(strings.Trim(ds[0], " \t"))
		if err != nil {
			return time.Time{}, "", incomplete("Date header must be an HTTP date. Got '" + printable(ds[0]) + "'.")
		}
		t = t.UTC()
		return t, t.Format(amzDateLayout), nil
	}
	return time.Time{}, "", incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

// checkScope uses AWS's messages so that a misconfigured client gets the
// same hint it would get from AWS.
func (v *Verifier) checkScope(s scope, amzDate string) *Error {
	switch {
	case s.terminator != "aws4_request":
		return invalid("Credential should be scoped with a valid terminator: 'aws4_request', not '" + printable(s.terminator) + "'. ")
	case s.service != v.service:
		return invalid("Credential should be scoped to correct service: '" + v.service + "'. ")
	case s.region != v.region:
		return invalid("Credential should be scoped to a valid region, not '" + printable(s.region) + "'. ")
	case s.date != amzDate[:8]:
		return invalid("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '" +
			printable(s.date) + "' != '" + amzDate[:8] + "', from '" + amzDate + "'.")
	}
	return nil
}

// checkWindow bounds replay of a captured request to ±window around now.
func (v *Verifier) checkWindow(t time.Time) *Error {
	now := v.now().UTC()
	t = t.UTC()
	f := func(t time.Time) string { return t.Format(amzDateLayout) }
	span := windowText(v.window)
	if earliest := now.Add(-v.window); t.Before(earliest) {
		return invalid("Signature expired: " + f(t) + " is now earlier than " + f(earliest) + " (" + f(now) + " - " + span + ")")
	}
	if latest := now.Add(v.window); t.After(latest) {
		return invalid("Signature not yet current: " + f(t) + " is still later than " + f(latest) + " (" + f(now) + " + " + span + ")")
	}
	return nil
}

func windowText(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min."
	}
	return d.String()
}

// checkContentSHA256 refuses a request whose X-Amz-Content-Sha256 differs
// from the body actually received, signed or not: the header is a claim
// about the payload, and a false claim is never accepted. UNSIGNED-PAYLOAD and
// streaming markers are refused the same way since they are unsupported.
func checkContentSHA256(r *http.Request, payloadHash string) *Error {
	vs := r.Header.Values("X-Amz-Content-Sha256")
	if len(vs) == 0 {
		return nil
	}
	if len(vs) > 1 || strings.Trim(vs[0], " \t") != payloadHash {
		return invalid("The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	return nil
}

func hasQueryParam(rawQuery, name string) bool {
	for _, p := range strings.Split(rawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		if unescape(k) == name {
			return true
		}
	}
	return false
}
