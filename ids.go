package turkmail

import (
	"io"
)

// idSource makes MTurk-shaped identifiers from a random source (injected, so tests can fix it).
type idSource struct{ r io.Reader }

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func (s idSource) random(prefix string, n int, alphabet string) string {
	buf := make([]byte, n)
	if _, err := io.ReadFull(s.r, buf); err != nil {
		// crypto/rand does not fail on supported platforms; a broken source must not
		// produce guessable ids.
		panic("turkmail: random source failed: " + err.Error())
	}
	out := make([]byte, len(prefix)+n)
	copy(out, prefix)
	for i, b := range buf {
		out[len(prefix)+i] = alphabet[int(b)%len(alphabet)]
	}
	return string(out)
}

// requesterID looks like MTurk's: "A" and 13 upper-case letters or digits.
func (s idSource) requesterID() string { return s.random("A", 13, idAlphabet) }

// accessKeyID looks like AWS's: "AKIA" and 16 upper-case letters or digits.
func (s idSource) accessKeyID() string { return s.random("AKIA", 16, idAlphabet) }

// secret is 40 characters of the alphabet AWS uses for secret keys.
func (s idSource) secret() string {
	return s.random("", 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}

// objectID is MTurk's 30-character id shape for HITs, HIT types and assignments.
func (s idSource) objectID() string { return s.random("3", 29, idAlphabet) }
