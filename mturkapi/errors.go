package mturkapi

import (
	"net/http"

	"github.com/turkmail/turkmail"
)

// API-level codes that have no place in the domain: they concern HTTP, not MTurk.
const (
	codeRequestTooLarge   turkmail.Code = "RequestEntityTooLargeException"
	codeMethodNotAllowed  turkmail.Code = "MethodNotAllowedException"
	codeNotFound          turkmail.Code = "NotFoundException"
	codeUnsupportedMedium turkmail.Code = "UnsupportedMediaTypeException"
)

// statusOf is the one table from error code to HTTP status. The SigV4 failures are 400 as
// in AWS's JSON services (botocore and the SDKs do not retry them); only ServiceFault is a 5xx.
var statusOf = map[turkmail.Code]int{
	turkmail.CodeRequestError:               http.StatusBadRequest,
	turkmail.CodeServiceFault:               http.StatusInternalServerError,
	turkmail.CodeThrottling:                 http.StatusBadRequest,
	turkmail.CodeUnknownOperation:           http.StatusBadRequest,
	turkmail.CodeMissingAuthenticationToken: http.StatusBadRequest,
	turkmail.CodeIncompleteSignature:        http.StatusBadRequest,
	turkmail.CodeUnrecognizedClient:         http.StatusBadRequest,
	turkmail.CodeInvalidSignature:           http.StatusBadRequest,
	codeRequestTooLarge:                     http.StatusRequestEntityTooLarge,
	codeMethodNotAllowed:                    http.StatusMethodNotAllowed,
	codeNotFound:                            http.StatusNotFound,
	codeUnsupportedMedium:                   http.StatusUnsupportedMediaType,
}

// errorBody is MTurk's error shape. TurkErrorCode is only on RequestError and ServiceFault.
type errorBody struct {
	Type          string `json:"__type"`
	Message       string `json:"Message"`
	TurkErrorCode string `json:"TurkErrorCode,omitempty"`
}

func httpStatus(c turkmail.Code) int {
	if s, ok := statusOf[c]; ok {
		return s
	}
	return http.StatusInternalServerError
}

func requestError(turkCode, format string, args ...any) *turkmail.Error {
	return turkmail.Invalid(turkCode, format, args...)
}
