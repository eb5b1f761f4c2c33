package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// StringToSign is the SigV4 string to sign for a request made at amzDate
// (basic ISO 8601, e.g. 20150830T123600Z) under the credential scope
// ("20150830/us-east-1/service/aws4_request").
func StringToSign(amzDate, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return strings.Join([]string{algorithm, amzDate, scope, hex.EncodeToString(sum[:])}, "\n")
}

// SigningKey derives the SigV4 signing key of secret for one day (YYYYMMDD),
// region and service.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// Signature is the hex SigV4 signature of stringToSign under key.
func Signature(key []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(key, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
