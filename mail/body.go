package mail

import "strings"

// appendBody appends the plain-text body, before transfer encoding, to dst: who sent it,
// the requester's text with every line end made CRLF, and a signature-style footer saying
// why the worker got it and how to stop it.
func appendBody(dst []byte, m *Message) []byte {
	dst = append(dst, "Message from "...)
	dst = append(dst, m.RequesterName...)
	dst = append(dst, ":\r\n\r\n"...)
	dst = appendNormalised(dst, m.Text)
	if m.Text != "" && !strings.HasSuffix(m.Text, "\n") && !strings.HasSuffix(m.Text, "\r") {
		dst = append(dst, "\r\n"...)
	}
	for _, s := range [...]string{
		"\r\n-- \r\n",
		"You received this email because you did work for ", m.RequesterName,
		" as worker ", m.WorkerID, ".\r\n",
		"To stop emails from ", m.RequesterName, ", open: ", m.UnsubscribeURL, "\r\n",
	} {
		dst = append(dst, s...)
	}
	return dst
}

// bodySize is an upper bound of appendBody's output, so the scratch buffer is allocated
// once.
func bodySize(m *Message) int {
	return 2*len(m.Text) + 3*len(m.RequesterName) + len(m.WorkerID) + len(m.UnsubscribeURL) + 128
}

// appendNormalised appends s with CRLF, lone LF and lone CR all turned into CRLF: a lone
// CR must never reach the wire, where relays and clients treat it inconsistently.
func appendNormalised(dst []byte, s string) []byte {
	for s != "" {
		i := indexLineEnd(s)
		if i < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:i]...)
		dst = append(dst, "\r\n"...)
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return dst
}

// indexLineEnd is strings.IndexAny(s, "\r\n") without building a byte set per call,
// which showed in BenchmarkCompose.
func indexLineEnd(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			return i
		}
	}
	return -1
}
