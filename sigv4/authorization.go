package sigv4

import (
	"strings"
)

const algorithm = "AWS4-HMAC-SHA256"

// authorization is a parsed "Authorization: AWS4-HMAC-SHA256 ..." header.
type authorization struct {
	accessKeyID   string
	scope         scope
	signedHeaders []string
	signature     string
}

// scope is the credential scope: date/region/service/terminator.
type scope struct {
	date, region, service, terminator string
}

func (s scope) String() string {
	return s.date + "/" + s.region + "/" + s.service + "/" + s.terminator
}

// parseAuthorization accepts the three parts in any order, with or without
// spaces after the commas, because clients differ (botocore and the Go SDK
// write ", ", some hand-rolled signers write ","). Everything else is refused
// rather than guessed at.
func parseAuthorization(h string) (authorization, *Error) {
	var a authorization
	h = strings.Trim(h, " \t")
	alg, rest, _ := strings.Cut(h, " ")
	if alg != algorithm {
		return a, incomplete("Unsupported authorization algorithm; the Authorization header must start with '" + algorithm + " '.")
	}
	var cred, signed, sig string
	var seenCred, seenSigned, seenSig bool
	for _, part := range strings.Split(rest, ",") {
		part = strings.Trim(part, " \t")
		if part == "" {
			continue // "A=1,,B=2" and a trailing comma carry no meaning either way
		}
		key, value, ok := strings.Cut(part, "=")
		if !ok {
			return a, incomplete("Authorization header part '" + printable(part) + "' is not of the form key=value.")
		}
		var seen *bool
		switch key {
		case "Credential":
			cred, seen = value, &seenCred
		case "SignedHeaders":
			signed, seen = value, &seenSigned
		case "Signature":
			sig, seen = value, &seenSig
		default:
			return a, incomplete("Unexpected parameter '" + printable(key) + "' in Authorization header.")
		}
		if *seen {
			return a, incomplete("Authorization header has more than one '" + key + "' parameter.")
		}
		*seen = true
	}
	var missing []string
	for _, p := range []struct {
		name string
		seen bool
	}{{"Credential", seenCred}, {"Signature", seenSig}, {"SignedHeaders", seenSigned}} {
		if !p.seen {
			missing = append(missing, "Authorization header requires '"+p.name+"' parameter.")
		}
	}
	if len(missing) > 0 {
		return a, incomplete(strings.Join(missing, " "))
	}

	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" {
		return a, incomplete("Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '" + printable(cred) + "'.")
	}
	a.accessKeyID = parts[0]
	a.scope = scope{date: parts[1], region: parts[2], service: parts[3], terminator: parts[4]}

	headers, err := parseSignedHeaders(signed)
	if err != nil {
		return a, err
	}
	a.signedHeaders = headers

	if !isLowerHex(sig, 64) {
		return a, incomplete("Signature must be 64 lowercase hexadecimal characters.")
	}
	a.signature = sig
	return a, nil
}

// parseSignedHeaders insists on the canonical form (lowercase, sorted, no
// duplicates) because the list is hashed as given: a server that silently
// re-sorted it would compute a different canonical request from the client's.
func parseSignedHeaders(s string) ([]string, *Error) {
	if s == "" {
		return nil, incomplete("SignedHeaders must not be empty.")
	}
	names := strings.Split(s, ";")
	hasHost := false
	for i, n := range names {
		if !isLowerToken(n) {
			return nil, incomplete("SignedHeaders must be lowercase header names separated by ';', got '" + printable(s) + "'.")
		}
		if i > 0 && names[i-1] >= n {
			return nil, incomplete("SignedHeaders must be sorted and without duplicates, got '" + printable(s) + "'.")
		}
		if n == "host" {
			hasHost = true
		}
	}
	if !hasHost {
		return nil, incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	return names, nil
}

// isLowerToken reports whether s is a non-empty RFC 9110 token without
// uppercase letters.
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func isLowerHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
