package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/turkmail/turkmail"
	"github.com/turkmail/turkmail/sqlstore"
)

func newMailboxCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mailbox",
		Short: "Read the mail the capture sender kept (--mail capture)",
		Long: `With --mail capture (the default) nothing leaves the machine: every email is kept in the
database instead. mailbox lists and shows it, for offline use and tests of MTurk integrations.
It shows workers' addresses: it is the operator's tool.`,
		Example: `  turkmail mailbox list
  turkmail mailbox show 42`,
	}
	cmd.AddCommand(newMailboxListCommand(g), newMailboxShowCommand(g))
	return cmd
}

func newMailboxListCommand(g *globals) *cobra.Command {
	var limit int
	var before int64
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List captured messages, newest first",
		Example: `  turkmail mailbox list
  turkmail mailbox list --limit 10 --before 120 --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.withService(cmd.Context(), func(store *sqlstore.Store, _ *turkmail.Service) error {
				msgs, err := store.ListCapturedMail(cmd.Context(), limit, before)
				if err != nil {
					return err
				}
				if asJSON {
					type row struct {
						ID        int64     `json:"id"`
						MessageID string    `json:"message_id"`
						From      string    `json:"envelope_from"`
						To        string    `json:"envelope_to"`
						Subject   string    `json:"subject"`
						Captured  time.Time `json:"captured_at"`
					}
					out := make([]row, 0, len(msgs))
					for _, m := range msgs {
						out = append(out, row{m.ID, m.MessageID, m.EnvelopeFrom, m.EnvelopeTo, subjectOf(m.Raw), m.CreatedAt})
					}
					return printJSON(cmd.OutOrStdout(), out)
				}
				tw := newTable(cmd.OutOrStdout(), "ID\tCAPTURED\tTO\tSUBJECT\tMESSAGE-ID")
				for _, m := range msgs {
					fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", m.ID, m.CreatedAt.Local().Format("2006-01-02 15:04:05"),
						m.EnvelopeTo, clipText(subjectOf(m.Raw), 60), m.MessageID)
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().IntVar(&limit, "limit", 50, "show at most this many")
	cmd.Flags().Int64Var(&before, "before", 0, "show messages with an ID below this one (the next page)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newMailboxShowCommand(g *globals) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print one captured message, decoded (or exactly as sent with --raw)",
		Example: `  turkmail mailbox show 42
  turkmail mailbox show 42 --raw > message.eml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return fmt.Errorf("message ID %q: want a number from turkmail mailbox list", args[0])
			}
			return g.withService(cmd.Context(), func(store *sqlstore.Store, _ *turkmail.Service) error {
				m, err := store.CapturedMail(cmd.Context(), id)
				if err != nil {
					if isNotFound(err) {
						return fmt.Errorf("no captured message %d", id)
					}
					return err
				}
				if raw {
					_, err := cmd.OutOrStdout().Write(m.Raw)
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Envelope-From: %s\nEnvelope-To: %s\nCaptured: %s\n\n",
					m.EnvelopeFrom, m.EnvelopeTo, m.CreatedAt.Local().Format(time.RFC1123Z))
				return writeDecoded(cmd.OutOrStdout(), m.Raw)
			})
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the message exactly as it was sent (RFC 5322, CRLF)")
	return cmd
}

// header is one unfolded header field, in the message's order.
type header struct{ name, value string }

// splitMessage unfolds the header fields and returns them in order with the body.
func splitMessage(raw []byte) ([]header, []byte) {
	head, body, ok := bytes.Cut(raw, []byte("\r\n\r\n"))
	if !ok {
		head, body, _ = bytes.Cut(raw, []byte("\n\n"))
	}
	var out []header
	for _, line := range strings.Split(strings.ReplaceAll(string(head), "\r\n", "\n"), "\n") {
		if (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")) && len(out) > 0 {
			out[len(out)-1].value += line // RFC 5322 unfolding: drop the CRLF, keep the space
			continue
		}
		name, value, _ := strings.Cut(line, ":")
		out = append(out, header{name, strings.TrimSpace(value)})
	}
	return out, body
}

// writeDecoded prints headers with RFC 2047 words decoded and the body decoded from its
// transfer encoding, with LF line ends for a terminal.
func writeDecoded(w io.Writer, raw []byte) error {
	headers, body := splitMessage(raw)
	dec := new(mime.WordDecoder)
	encoding := ""
	for _, h := range headers {
		v, err := dec.DecodeHeader(h.value)
		if err != nil {
			v = h.value
		}
		if strings.EqualFold(h.name, "Content-Transfer-Encoding") {
			encoding = strings.ToLower(h.value)
		}
		fmt.Fprintf(w, "%s: %s\n", h.name, v)
	}
	var r io.Reader = bytes.NewReader(body)
	switch encoding {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, &crlfStripper{r: r})
	}
	text, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("decoding the body (%s): %w; try --raw", encoding, err)
	}
	_, err = fmt.Fprintf(w, "\n%s", strings.ReplaceAll(string(text), "\r\n", "\n"))
	return err
}

// crlfStripper drops line breaks, which base64 bodies carry and the decoder refuses.
type crlfStripper struct{ r io.Reader }

func (c *crlfStripper) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	j := 0
	for _, b := range p[:n] {
		if b != '\r' && b != '\n' {
			p[j] = b
			j++
		}
	}
	return j, err
}

// subjectOf returns the decoded Subject of a raw message.
func subjectOf(raw []byte) string {
	headers, _ := splitMessage(raw)
	for _, h := range headers {
		if strings.EqualFold(h.name, "Subject") {
			if v, err := new(mime.WordDecoder).DecodeHeader(h.value); err == nil {
				return v
			}
			return h.value
		}
	}
	return ""
}

func clipText(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func isNotFound(err error) bool { return errors.Is(err, turkmail.ErrNotFound) }
