package mail

import (
	"bytes"
	"io"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// checkWellFormed asserts the wire-format properties every composed message must have
// and that a standard reader gets back exactly what went in.
func checkWellFormed(t *testing.T, m Message, out []byte) {
	t.Helper()
	if !bytes.HasSuffix(out, []byte("\r\n")) {
		t.Fatalf("message does not end with CRLF")
	}
	inHeader := true
	for i, line := range bytes.Split(out[:len(out)-2], []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d octets", i+1, len(line))
		}
		if len(line) == 0 {
			inHeader = false
		}
		if inHeader && len(line) > foldAt && !bytes.HasPrefix(line, []byte("List-Unsubscribe:")) {
			t.Errorf("header line %d is %d octets: %q", i+1, len(line), line)
		}
		if !inHeader && len(line) > 76 {
			t.Errorf("body line %d is %d octets, QP allows 76", i+1, len(line))
		}
	}
	for _, b := range out {
		if b >= 0x80 {
			t.Fatalf("8-bit byte in a 7-bit message")
		}
	}

	msg, err := mail.ReadMessage(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("net/mail cannot read it: %v", err)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != m.Subject {
		t.Errorf("subject round trip: got %q (%v), want %q", subject, err, m.Subject)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		t.Fatalf("From %q: %v", msg.Header.Get("From"), err)
	}
	if from.Name != m.FromName || from.Address != m.FromAddress {
		t.Errorf("From round trip: got %q <%s>, want %q <%s>", from.Name, from.Address, m.FromName, m.FromAddress)
	}
	if got := msg.Header.Get("Reply-To"); got != m.ReplyTo {
		t.Errorf("Reply-To = %q, want %q", got, m.ReplyTo)
	}
	if got := msg.Header.Get("Message-ID"); got != m.MessageID {
		t.Errorf("Message-ID = %q", got)
	}
	if got := msg.Header.Get("List-Unsubscribe"); got != "<"+m.UnsubscribeURL+">" {
		t.Errorf("List-Unsubscribe = %q", got)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatalf("body is not valid quoted-printable: %v", err)
	}
	want := "Message from " + m.RequesterName + ":\r\n\r\n" + normalisedText(m.Text) + "\r\n-- \r\n"
	if !strings.HasPrefix(string(body), want) {
		t.Errorf("body round trip:\n got %q\nwant prefix %q", body, want)
	}
	if !strings.HasSuffix(string(body), "open: "+m.UnsubscribeURL+"\r\n") ||
		!strings.Contains(string(body), m.WorkerID) {
		t.Errorf("footer lacks the worker id or the unsubscribe URL: %q", body)
	}
}

// normalisedText is what the body must carry for text: every line end CRLF, and a final
// line end, written independently of the code under test.
func normalisedText(s string) string {
	s = strings.NewReplacer("\r\n", "\r\n", "\r", "\r\n", "\n", "\r\n").Replace(s)
	if s != "" && !strings.HasSuffix(s, "\r\n") {
		s += "\r\n"
	}
	return s
}

func TestComposeRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"a", "Z", "0", " ", "  ", "=", "=?", "?=", "\"", "\\", ".", "-", "_", "é",
		"ß", "中", "文", "日本", "😀", "👍🏽", "\u200b", "(", ")", "<", ">", ",", ";", ":", "@"}
	textPieces := append([]string{"\r\n", "\n", "\r", "\r\r\n", "\n\r", "\t", " \n", "."}, pieces...)
	gen := func(p []string, n int) string {
		var b strings.Builder
		for range rng.IntN(n) + 1 {
			b.WriteString(p[rng.IntN(len(p))])
		}
		return b.String()
	}
	for i := range 500 {
		m := baseMessage()
		m.Subject = gen(pieces, 120)
		m.FromName = gen(pieces, 40)
		m.RequesterName = m.FromName
		m.Text = gen(textPieces, 400)
		if i%3 == 0 {
			m.ReplyTo = ""
		}
		if i%7 == 0 {
			m.FromName = "" // From is then the bare address
		}
		out, err := Compose(m)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		checkWellFormed(t, m, out)
		if t.Failed() {
			t.Fatalf("case %d failed: subject %q name %q text %q", i, m.Subject, m.FromName, m.Text)
		}
	}
}
