package turkmail

import (
	"errors"
	"fmt"
)

// Code classifies an error the way the MTurk API reports it: each Code has one `__type`
// and one HTTP status (mturkapi's error table). Codes are stable; docs/errors.md lists them.
type Code string

const (
	// CodeRequestError is the client's fault; SDKs do not retry it (HTTP 400).
	CodeRequestError Code = "RequestError"
	// CodeServiceFault is ours; SDKs retry it (HTTP 500). Its message is always generic.
	CodeServiceFault Code = "ServiceFault"
	// CodeThrottling asks the client to slow down; every SDK retries it with backoff.
	CodeThrottling Code = "ThrottlingException"
	// CodeUnknownOperation names an X-Amz-Target that is not an MTurk operation at all.
	CodeUnknownOperation Code = "UnknownOperationException"
	// The SigV4 failures, with the names AWS uses.
	CodeMissingAuthenticationToken Code = "MissingAuthenticationToken"
	CodeIncompleteSignature        Code = "IncompleteSignature"
	CodeUnrecognizedClient         Code = "UnrecognizedClientException"
	CodeInvalidSignature           Code = "InvalidSignatureException"
)

// Error is the domain's error: a Code for the wire, a TurkErrorCode that says precisely
// what was wrong (stable, listed in docs/errors.md), and a Message safe to show the caller.
// Err, if set, is the internal cause: logged, never sent.
type Error struct {
	Code          Code
	TurkErrorCode string
	Message       string
	Err           error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Invalid is a RequestError with a TurkErrorCode and a formatted message.
func Invalid(turkCode, format string, args ...any) *Error {
	return &Error{Code: CodeRequestError, TurkErrorCode: turkCode, Message: fmt.Sprintf(format, args...)}
}

// Fault wraps an internal failure; the caller sees a generic ServiceFault.
func Fault(err error) *Error {
	return &Error{Code: CodeServiceFault, TurkErrorCode: "AWS.ServiceUnavailable",
		Message: "The service encountered an internal error. Try the request again.", Err: err}
}

// AsError turns any error into an *Error: domain errors pass through, ErrNotFound without a
// message becomes a generic RequestError, and everything else is a ServiceFault.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Fault(err)
}

// Store-level sentinels. Stores return them (possibly wrapped); the Service turns them into
// *Error with the words the API uses.
var (
	// ErrNotFound: no such row, or it belongs to another requester (tenancy: the same answer).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the row exists but is not in the state the change requires.
	ErrConflict = errors.New("conflict")
	// ErrDuplicate: a row with that key already exists.
	ErrDuplicate = errors.New("duplicate")
)
