package mail

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// update is a test flag, the one package-level variable: `go test ./mail -update`
// rewrites the golden files.
var update = flag.Bool("update", false, "rewrite testdata/*.eml from the current output")

func baseMessage() Message {
	return Message{
		MessageID:      "<d-42.n-7@turkmail.example>",
		Date:           time.Date(2026, 3, 14, 15, 9, 26, 0, time.FixedZone("", 3600)),
		FromAddress:    "notify@turkmail.example",
		FromName:       "Acme Research Lab",
		To:             "worker.one@example.org",
		ReplyTo:        "lab-contact@acme.example",
		Subject:        "New batch of image labelling HITs",
		RequesterName:  "Acme Research Lab",
		Text:           "Hello,\nwe have posted 200 new HITs.\nThanks!",
		WorkerID:       "A1B2C3D4E5F6G7",
		UnsubscribeURL: "https://turkmail.example/unsubscribe?t=abc123",
	}
}

func goldenCases() map[string]Message {
	cases := map[string]Message{}
	cases["ascii"] = baseMessage()

	m := baseMessage()
	m.ReplyTo = ""
	cases["ascii_no_reply_to"] = m

	m = baseMessage()
	m.FromName = "Équipe 研究室 🧪"
	m.RequesterName = m.FromName
	m.Subject = "Résumé: 新しいタスク 🎉 — merci beaucoup"
	m.Text = "Bonjour, café ☕\n日本語のテキスト。\nEmoji 👍🏽 end."
	cases["non_ascii"] = m

	m = baseMessage()
	m.Subject = "A rather long subject line that goes on and on about the new HITs that " +
		"we have just posted for workers who helped us before, with bonus details inside"
	cases["long_subject"] = m

	m = baseMessage()
	m.Subject = string([]rune(strings.Repeat("ünïcödé 字 ", 20))[:197]) // ≤200 code points
	cases["long_subject_non_ascii"] = m

	m = baseMessage()
	m.ReplyTo = ""
	m.Text = "crlf\r\nlf\ncr\rcr-lf-mix\r\r\nend with spaces   \n.leading dot\n\n\nlast\r"
	cases["line_ends"] = m

	m = baseMessage()
	m.FromName = `Dr. "Lab" O'Neil, Inc. \ Co`
	m.RequesterName = m.FromName
	m.Subject = "=?not encoded?= literally"
	cases["specials"] = m
	return cases
}

func TestComposeGolden(t *testing.T) {
	for name, m := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			got, err := Compose(m)
			if err != nil {
				t.Fatal(err)
			}
			checkWellFormed(t, m, got)
			path := filepath.Join("testdata", name+".eml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("output differs from %s (run with -update if intended)\ngot:\n%s\nwant:\n%s", path, got, want)
			}
		})
	}
}

func TestComposeRejects(t *testing.T) {
	tests := []struct {
		field  string
		mutate func(*Message)
	}{
		{"MessageID", func(m *Message) { m.MessageID = "" }},
		{"MessageID", func(m *Message) { m.MessageID = "no-brackets@host" }},
		{"MessageID", func(m *Message) { m.MessageID = "<a@b>\r\nBcc: x@y" }},
		{"FromAddress", func(m *Message) { m.FromAddress = "" }},
		{"FromAddress", func(m *Message) { m.FromAddress = "a@b\n" }},
		{"FromName", func(m *Message) { m.FromName = "Evil\r\nBcc: victim@example.com" }},
		{"To", func(m *Message) { m.To = "" }},
		{"To", func(m *Message) { m.To = "a@b\x00" }},
		{"To", func(m *Message) { m.To = "a@b, c@d" }},
		{"ReplyTo", func(m *Message) { m.ReplyTo = "x@y\rz" }},
		{"Subject", func(m *Message) { m.Subject = "hi\nBcc: x@y" }},
		{"RequesterName", func(m *Message) { m.RequesterName = "" }},
		{"WorkerID", func(m *Message) { m.WorkerID = "A1\n" }},
		{"Text", func(m *Message) { m.Text = "nul\x00" }},
		{"UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "" }},
		{"UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "/relative" }},
		{"UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "mailto:x@y" }},
		{"UnsubscribeURL", func(m *Message) { m.UnsubscribeURL = "https://h/" + strings.Repeat("a", 1000) }},
		{"Date", func(m *Message) { m.Date = time.Time{} }},
	}
	for _, tt := range tests {
		m := baseMessage()
		tt.mutate(&m)
		_, err := Compose(m)
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: got %v, want a FieldError naming %s", tt.field, err, tt.field)
			continue
		}
		if !strings.Contains(err.Error(), tt.field) {
			t.Errorf("error %q does not name %s", err, tt.field)
		}
	}
}

func TestComposeHeaderOrder(t *testing.T) {
	out, err := Compose(baseMessage())
	if err != nil {
		t.Fatal(err)
	}
	head, _, _ := bytes.Cut(out, []byte("\r\n\r\n"))
	var names []string
	for _, line := range strings.Split(string(head), "\r\n") {
		if line[0] != ' ' {
			name, _, _ := strings.Cut(line, ":")
			names = append(names, name)
		}
	}
	want := "Date From To Reply-To Subject Message-ID MIME-Version Content-Type " +
		"Content-Transfer-Encoding List-Unsubscribe List-Unsubscribe-Post Auto-Submitted"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("header order\n got %s\nwant %s", got, want)
	}
}

func BenchmarkCompose(b *testing.B) {
	m := baseMessage()
	m.Subject = "Résumé: 新しいタスク 🎉 — merci beaucoup, a longer subject to fold"
	m.Text = strings.Repeat("Some ordinary line of text with a café in it.\n", 20) // ~1 KB
	b.ReportAllocs()
	b.SetBytes(int64(len(m.Text)))
	for b.Loop() {
		if _, err := Compose(m); err != nil {
			b.Fatal(err)
		}
	}
}
