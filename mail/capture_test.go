package mail

import (
	"context"
	"errors"
	"testing"

	"github.com/turkmail/turkmail"
)

// memoryCapture is the smallest CaptureStore: the real one is tested in its own package.
type memoryCapture struct {
	got []turkmail.Envelope
	err error
}

func (m *memoryCapture) CaptureMail(_ context.Context, e turkmail.Envelope) error {
	if m.err != nil {
		return m.err
	}
	m.got = append(m.got, e)
	return nil
}

func TestCaptureSender(t *testing.T) {
	var _ turkmail.Sender = CaptureSender{}
	store := &memoryCapture{}
	s := CaptureSender{Store: store}
	e := turkmail.Envelope{From: "b@x.example", To: "w@y.example", MessageID: "<1@x>", Data: []byte("x\r\n")}
	if _, err := s.Send(context.Background(), e); err != nil {
		t.Fatal(err)
	}
	if len(store.got) != 1 || store.got[0].MessageID != "<1@x>" {
		t.Fatalf("stored %+v", store.got)
	}

	store.err = errors.New("database is locked while writing w@y.example")
	_, err := s.Send(context.Background(), e)
	var se *turkmail.SendError
	if !errors.As(err, &se) || se.Permanent || se.Code != 0 {
		t.Fatalf("got %v, want a transient SendError", err)
	}
	if se.Text != "capture: database is locked while writing <redacted>" {
		t.Errorf("text %q", se.Text)
	}

	store.err = &turkmail.SendError{Permanent: true, Text: "too large"}
	if _, err := s.Send(context.Background(), e); !errors.As(err, &se) || !se.Permanent {
		t.Errorf("a store's own SendError should pass through, got %v", err)
	}
}
