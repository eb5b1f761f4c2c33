package smtptest

import (
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Action is what the server does with a recipient's message.
type Action int

const (
	// ActAccept answers 250 to RCPT and after DATA.
	ActAccept Action = iota
	// ActReplyRcpt answers RCPT with the behaviour's code.
	ActReplyRcpt
	// ActReplyData accepts RCPT, reads the message and answers with the behaviour's code.
	ActReplyData
	// ActDropMidData closes the connection after reading part of the message.
	ActDropMidData
	// ActDropAfterDot reads the whole message, records it, and closes the connection
	// without replying: a real relay may have queued it.
	ActDropAfterDot
)

// Behaviour is the server's answer for one RCPT and the DATA that follows it.
type Behaviour struct {
	Action   Action
	Code     int
	Enhanced string        // "5.1.1"; empty sends no enhanced code
	Text     string        // reply text, may contain an address on purpose
	Delay    time.Duration // wait before answering, at RCPT for ActReplyRcpt, else after DATA
}

// Accept accepts the message.
func Accept() Behaviour { return Behaviour{Action: ActAccept} }

// AcceptWith accepts the message with this 250 reply instead of go-smtp's "2.0.0 OK:
// queued", as a relay that names its queue id (or, carelessly, the recipient) does.
func AcceptWith(enhanced, text string) Behaviour {
	return Behaviour{Action: ActAccept, Code: 250, Enhanced: enhanced, Text: text}
}

// ReplyAtRcpt answers RCPT TO with code, enhanced code and text.
func ReplyAtRcpt(code int, enhanced, text string) Behaviour {
	return Behaviour{Action: ActReplyRcpt, Code: code, Enhanced: enhanced, Text: text}
}

// ReplyAtData accepts the recipient and answers the final dot with code.
func ReplyAtData(code int, enhanced, text string) Behaviour {
	return Behaviour{Action: ActReplyData, Code: code, Enhanced: enhanced, Text: text}
}

// DropMidData closes the connection in the middle of DATA.
func DropMidData() Behaviour { return Behaviour{Action: ActDropMidData} }

// DropAfterDot reads the full message, counts it as received, and closes the connection
// without a reply.
func DropAfterDot() Behaviour { return Behaviour{Action: ActDropAfterDot} }

// Delay accepts, but only d after the final dot.
func Delay(d time.Duration) Behaviour { return Behaviour{Action: ActAccept, Delay: d} }

// After returns b answered d late.
func (b Behaviour) After(d time.Duration) Behaviour {
	b.Delay = d
	return b
}

// smtpError is the reply b asks for, as go-smtp wants it.
func (b Behaviour) smtpError() *smtp.SMTPError {
	return &smtp.SMTPError{Code: b.Code, EnhancedCode: parseEnhanced(b.Enhanced), Message: b.Text}
}

func parseEnhanced(s string) smtp.EnhancedCode {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return smtp.NoEnhancedCode
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return smtp.NoEnhancedCode
		}
		ec[i] = n
	}
	return ec
}
