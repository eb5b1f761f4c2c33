package smtptest

import (
	"errors"
	"strings"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

const testMessage = "Message-ID: <m1@test>\r\nSubject: hi\r\n\r\nbody\r\n"

// send runs one transaction with go-smtp's own client, independent of package mail.
func send(c *smtp.Client, to string) error {
	if err := c.Mail("from@test.example", nil); err != nil {
		return err
	}
	if err := c.Rcpt(to, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(testMessage)); err != nil {
		return err
	}
	return w.Close()
}

func TestServerScriptedBehaviour(t *testing.T) {
	s := NewServer(t)
	s.SetBehaviour(func(rcpt string, attempt int) Behaviour {
		switch {
		case strings.HasPrefix(rcpt, "rcpt") && attempt == 1:
			return ReplyAtRcpt(550, "5.1.1", "no such user")
		case strings.HasPrefix(rcpt, "data"):
			return ReplyAtData(451, "4.3.0", "try later")
		}
		return Accept()
	})
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	var se *smtp.SMTPError
	if err := send(c, "rcpt@x.test"); !errors.As(err, &se) || se.Code != 550 || se.EnhancedCode != (smtp.EnhancedCode{5, 1, 1}) {
		t.Fatalf("first RCPT: got %v, want 550 5.1.1", err)
	}
	_ = c.Reset()
	if err := send(c, "rcpt@x.test"); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if err := send(c, "data@x.test"); !errors.As(err, &se) || se.Code != 451 {
		t.Fatalf("DATA: got %v, want 451", err)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].To != "rcpt@x.test" || msgs[0].MessageID != "<m1@test>" ||
		msgs[0].From != "from@test.example" || string(msgs[0].Data) != testMessage {
		t.Fatalf("messages = %+v", msgs)
	}
	if s.Connections() != 1 {
		t.Errorf("connections = %d", s.Connections())
	}
}

func TestServerDropAfterDotRecords(t *testing.T) {
	s := NewServer(t)
	s.SetBehaviour(func(string, int) Behaviour { return DropAfterDot() })
	c, err := smtp.Dial(s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := send(c, "w@x.test"); err == nil {
		t.Fatal("no error although the server dropped the connection")
	}
	if s.Count() != 1 {
		t.Errorf("count = %d, want 1: the message was fully received", s.Count())
	}
}

func TestServerTLSAndAuth(t *testing.T) {
	for _, implicit := range []bool{false, true} {
		opt := WithSTARTTLS()
		if implicit {
			opt = WithImplicitTLS()
		}
		s := NewServer(t, opt, WithAuth("u", "p"))
		var c *smtp.Client
		var err error
		if implicit {
			c, err = smtp.DialTLS(s.Addr(), s.ClientTLSConfig())
		} else {
			c, err = smtp.DialStartTLS(s.Addr(), s.ClientTLSConfig())
		}
		if err != nil {
			t.Fatalf("implicit=%v: %v", implicit, err)
		}
		if err := send(c, "w@x.test"); err == nil {
			t.Errorf("implicit=%v: MAIL accepted without AUTH", implicit)
		}
		_ = c.Reset()
		if err := c.Auth(sasl.NewPlainClient("", "u", "p")); err != nil {
			t.Fatalf("implicit=%v: auth: %v", implicit, err)
		}
		if err := send(c, "w@x.test"); err != nil {
			t.Fatalf("implicit=%v: %v", implicit, err)
		}
		_ = c.Close()
	}
}
