package sigv4

import "errors"

// Error codes, named as AWS names them, so that SDKs and tools that branch on
// the code behave against turkmail exactly as they do against AWS.
const (
	// CodeMissingAuthenticationToken: the request carries no Authorization header.
	CodeMissingAuthenticationToken = "MissingAuthenticationToken"
	// CodeIncompleteSignature: the Authorization header or a header it depends on
	// (X-Amz-Date, a signed header) is missing or malformed.
	CodeIncompleteSignature = "IncompleteSignature"
	// CodeUnrecognizedClient: the access key id is not known.
	CodeUnrecognizedClient = "UnrecognizedClientException"
	// CodeInvalidSignature: the signature does not match, the credential scope is
	// wrong, or the request time is outside the allowed window.
	CodeInvalidSignature = "InvalidSignatureException"
)

// ErrUnknownKey is returned by a KeyLookup when the access key id does not
// exist. Verify turns it into an UnrecognizedClientException; any other lookup
// error is an internal failure and is passed through unchanged.
var ErrUnknownKey = errors.New("sigv4: unknown access key id")

// Error is an authentication failure that may be shown to the client: Code is
// the AWS error code, Message is safe to send (it never contains the secret or
// the signature the server computed).
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func incomplete(msg string) *Error { return &Error{Code: CodeIncompleteSignature, Message: msg} }

func invalid(msg string) *Error { return &Error{Code: CodeInvalidSignature, Message: msg} }

// printable makes a client-supplied value safe to echo in an error message:
// the message ends up in JSON bodies and log lines, so control characters and
// unbounded lengths must not pass through.
func printable(s string) string {
	const limit = 64
	b := make([]byte, 0, min(len(s), limit+3))
	for i := 0; i < len(s); i++ {
		if len(b) == limit {
			return string(b) + "..."
		}
		c := s[i]
		if c < 0x20 || c > 0x7e {
			c = '?'
		}
		b = append(b, c)
	}
	return string(b)
}
