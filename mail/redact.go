package mail

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const redacted = "<redacted>"

// RedactAddresses replaces everything in s that looks like an email address — bare,
// in angle brackets, with a quoted local part, an address literal or Unicode — with
// "<redacted>". Relay replies routinely echo the recipient ("550 5.1.1 <bob@example.com>:
// Recipient address rejected"), and such text is stored and shown to requesters, who must
// never learn a worker's address. It errs on the side of removing too much.
func RedactAddresses(s string) string {
	if strings.IndexByte(s, '@') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	done := 0 // s[:done] has been copied or replaced
	for i := 0; i < len(s); i++ {
		start, end, ok := addressAt(s, done, i)
		if !ok {
			continue
		}
		open := start
		for open > done && s[open-1] == ' ' {
			open--
		}
		if open > done && s[open-1] == '<' {
			if j := strings.IndexByte(s[end:], '>'); j >= 0 && strings.TrimSpace(s[end:end+j]) == "" {
				start = open - 1
				end += j + 1
			}
		}
		b.WriteString(s[done:start])
		b.WriteString(redacted)
		done = end
		i = end - 1
	}
	b.WriteString(s[done:])
	return b.String()
}

// addressAt reports the address that s[i] belongs to, if s[i] is the opening quote of a
// quoted local part ("bob smith"@example.com, which may itself contain an "@") or the "@"
// of a dot-atom address. floor is where unprocessed text begins.
func addressAt(s string, floor, i int) (start, end int, ok bool) {
	switch s[i] {
	case '"':
		for j := i + 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				j++
				continue
			case '\r', '\n':
				return 0, 0, false
			case '"':
				if j+1 < len(s) && s[j+1] == '@' {
					if end := domainEnd(s, j+2); end > j+2 {
						return i, end, true
					}
				}
				return 0, 0, false
			}
		}
	case '@':
		start := localStart(s, floor, i)
		end := domainEnd(s, i+1)
		if start < i && end > i+1 {
			return start, end, true
		}
	}
	return 0, 0, false
}

// localStart returns where the dot-atom local part ending just before s[at] begins, not
// before floor.
func localStart(s string, floor, at int) int {
	i := at
	for i > floor {
		r, size := utf8.DecodeLastRuneInString(s[floor:i])
		if !isAtext(r) {
			break
		}
		i -= size
	}
	// An apostrophe is atext, but a leading one is far more often quoting the address.
	for i < at && (s[i] == '\'' || s[i] == '.') {
		i++
	}
	return i
}

// domainEnd returns where the domain starting at s[from] ends: an address literal in
// brackets, or labels of letters, digits and hyphens joined by dots, without the dot
// that ends a sentence.
func domainEnd(s string, from int) int {
	if from < len(s) && s[from] == '[' {
		if i := strings.IndexAny(s[from:], "] \t\r\n"); i > 0 && s[from+i] == ']' {
			return from + i + 1
		}
		return from
	}
	end := from
	for i := from; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '.' || r == '-':
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			end = i + size
		default:
			return end
		}
		i += size
	}
	return end
}

func isAtext(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' ||
			strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.", r)
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
