package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// CanonicalRequest builds the SigV4 canonical request of r over body, using
// the headers named in signedHeaders (lowercase, in the order given). The path
// is normalised as every AWS service except S3 does.
func CanonicalRequest(r *http.Request, body []byte, signedHeaders []string) string {
	return canonicalRequest(r, hashHex(body), signedHeaders)
}

func canonicalRequest(r *http.Request, payloadHash string, signedHeaders []string) string {
	var b strings.Builder
	method := r.Method
	if method == "" {
		method = http.MethodGet // net/http's meaning of an empty Method
	}
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(wirePath(r)))
	b.WriteByte('\n')
	if r.URL != nil {
		b.WriteString(canonicalQuery(r.URL.RawQuery))
	}
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// wirePath is the path as the client sent it, still percent-encoded. Clients
// sign that form and encode it once more (AWS's "encode twice" rule for
// non-S3 services), so decoding it first would break every path with a '%'.
// RequestURI is preferred over URL because handlers such as StripPrefix
// rewrite URL.Path but the client signed the original.
func wirePath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if r.URL == nil {
		return "/"
	}
	return r.URL.EscapedPath()
}

// canonicalURI removes dot segments and empty segments (so "//a//" is "/a/"),
// keeps a trailing slash, and URI-encodes each segment, matching botocore and
// the suite's *-normalized cases.
func canonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	var segs []string
	for _, s := range strings.Split(path, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	var b strings.Builder
	b.WriteByte('/')
	for i, s := range segs {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(uriEncode(s))
	}
	if len(segs) > 0 && strings.HasSuffix(path, "/") {
		b.WriteByte('/')
	}
	return b.String()
}

// canonicalQuery decodes every parameter and re-encodes it with the RFC 3986
// unreserved set, so that two spellings of one query ("%7E" and "~") give the
// same canonical form, as AWS requires. '+' is a literal plus, not a space:
// SigV4 signers send spaces as %20.
func canonicalQuery(raw string) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, p := range strings.Split(raw, "&") {
		if p == "" {
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		pairs = append(pairs, pair{uriEncode(unescape(k)), uriEncode(unescape(v))})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// unescape falls back to the raw text on a malformed escape: the signature
// will then simply not match, which is the right outcome for such a request.
func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// canonicalHeaderValue joins all values of one header with ',' in the order
// received, each trimmed and with inner runs of spaces collapsed.
func canonicalHeaderValue(r *http.Request, name string) string {
	switch name {
	case "host":
		if r.Host != "" {
			return trimAll(r.Host)
		}
		if r.URL != nil {
			return trimAll(r.URL.Host)
		}
		return ""
	case "content-length":
		// net/http moves Content-Length out of Header on client-side requests.
		if len(r.Header.Values("Content-Length")) == 0 && r.ContentLength > 0 {
			return strconv.FormatInt(r.ContentLength, 10)
		}
	}
	values := r.Header.Values(name)
	if len(values) == 1 {
		return trimAll(values[0])
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = trimAll(v)
	}
	return strings.Join(out, ",")
}

// headerPresent reports whether a signed header exists in r at all; a signed
// but absent header is a malformed request, not merely a wrong signature.
func headerPresent(r *http.Request, name string) bool {
	switch name {
	case "host":
		return r.Host != "" || r.URL != nil && r.URL.Host != ""
	case "content-length":
		if r.ContentLength > 0 {
			return true
		}
	}
	return len(r.Header.Values(name)) > 0
}

// trimAll is SigV4's "Trimall": strip surrounding whitespace and turn every
// run of spaces inside into one space. Obsolete line folding has already been
// turned into spaces by net/http (and by the suite's request parser).
func trimAll(v string) string {
	v = strings.Trim(v, " \t\r\n")
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// uriEncode percent-encodes every byte outside RFC 3986's unreserved set
// (A-Z a-z 0-9 - . _ ~), upper-case hex, as SigV4 specifies.
func uriEncode(s string) string {
	const hexDigits = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
