package mail

import (
	"bytes"
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

const (
	// foldAt is RFC 5322's recommended line length; we fold headers to stay within it.
	foldAt = 78
	// maxWordLen is RFC 2047's limit for one encoded-word.
	maxWordLen = 75
	// wordOverhead is len("=?UTF-8?B?") + len("?=").
	wordOverhead = 12
	wordPrefix   = "=?UTF-8?B?"
)

// headerWriter appends header fields to buf, tracking the current line's length so that
// encoded-words and long subjects are folded with CRLF+SP.
type headerWriter struct {
	buf     *bytes.Buffer
	lineLen int
}

func (w *headerWriter) start(name string) {
	w.buf.WriteString(name)
	w.buf.WriteString(":")
	w.lineLen = len(name) + 1
}

func (w *headerWriter) end() {
	w.buf.WriteString("\r\n")
	w.lineLen = 0
}

// simple writes a value that cannot be folded (addresses, ids, URLs): validated values are
// far below 998 octets, which is the only hard limit.
func (w *headerWriter) simple(name, value string) {
	w.start(name)
	w.buf.WriteByte(' ')
	w.buf.WriteString(value)
	w.end()
}

// address writes `"Display Name" <addr>`. A name that is not plain printable ASCII, or
// that would not fit on one line, becomes RFC 2047 encoded-words, which a phrase allows.
func (w *headerWriter) address(name, display, addr string) {
	w.start(name)
	if display == "" {
		w.buf.WriteByte(' ')
		w.buf.WriteString(addr)
		w.end()
		return
	}
	if needsEncoding(display) || w.lineLen+len(display)+4 > foldAt {
		w.encodedWords(display)
	} else {
		w.buf.WriteString(` "`)
		for i := 0; i < len(display); i++ {
			if c := display[i]; c == '"' || c == '\\' {
				w.buf.WriteByte('\\')
			}
			w.buf.WriteByte(display[i])
		}
		w.buf.WriteByte('"')
		w.lineLen += len(display) + 3
	}
	w.token("<" + addr + ">")
	w.end()
}

// unstructured writes a Subject-like field. Plain ASCII is folded at single spaces only,
// because a reader unfolding CRLF+WSP collapses a run of spaces at a fold into one; text
// that does not survive that unchanged is sent as encoded-words instead.
func (w *headerWriter) unstructured(name, value string) {
	w.start(name)
	if needsEncoding(value) || value == "" || value[0] == ' ' || value[len(value)-1] == ' ' {
		if value == "" {
			w.end()
			return
		}
		w.encodedWords(value)
		w.end()
		return
	}
	rest := value
	first := true
	for rest != "" {
		word, tail := splitWord(rest)
		if first {
			w.buf.WriteByte(' ')
			w.buf.WriteString(word)
			w.lineLen += 1 + len(word)
			first = false
		} else {
			w.token(word)
		}
		rest = tail
	}
	w.end()
}

// splitWord returns s up to the next single space that is followed by a non-space (a safe
// fold point), and the remainder after that space. Runs of spaces stay inside a word.
func splitWord(s string) (word, rest string) {
	for i := 1; i < len(s)-1; i++ {
		if s[i] == ' ' && s[i-1] != ' ' && s[i+1] != ' ' {
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// token writes " tok" on the current line, or folds first when it would not fit.
func (w *headerWriter) token(tok string) {
	if w.lineLen+1+len(tok) > foldAt {
		w.buf.WriteString("\r\n ")
		w.lineLen = 1
	} else {
		w.buf.WriteByte(' ')
		w.lineLen++
	}
	w.buf.WriteString(tok)
	w.lineLen += len(tok)
}

// encodedWords writes s as a sequence of B-encoded words, each ≤75 characters and cut at
// rune boundaries so that no word carries half a UTF-8 character. Whitespace between
// adjacent encoded-words is not part of the text, so the decoded value is exactly s.
func (w *headerWriter) encodedWords(s string) {
	var raw [48]byte
	var enc [64]byte
	for s != "" {
		room := foldAt - w.lineLen - 1 - wordOverhead
		if room < 16 { // not worth it: start a fresh line
			w.buf.WriteString("\r\n")
			w.lineLen = 0
			room = foldAt - 1 - wordOverhead
		}
		room = min(room, maxWordLen-wordOverhead)
		maxBytes := room / 4 * 3
		n := 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			if n+size > maxBytes {
				break
			}
			n += size
		}
		encLen := base64.StdEncoding.EncodedLen(n)
		copy(raw[:], s[:n])
		base64.StdEncoding.Encode(enc[:encLen], raw[:n])
		w.buf.WriteByte(' ')
		w.buf.WriteString(wordPrefix)
		w.buf.Write(enc[:encLen])
		w.buf.WriteString("?=")
		w.lineLen += 1 + wordOverhead + encLen
		s = s[n:]
	}
}

// needsEncoding reports whether s must go out as encoded-words: non-ASCII, control
// characters, or text that a reader would mistake for an encoded-word.
func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return true
		}
	}
	return strings.Contains(s, "=?")
}
