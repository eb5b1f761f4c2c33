package mail

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw     string
		want    SMTPConfig
		wantErr string // substring; empty means success
	}{
		{raw: "smtp://relay.example", want: SMTPConfig{Host: "relay.example", Port: 587, TLS: "starttls"}},
		{raw: "smtp://relay.example?tls=implicit", want: SMTPConfig{Host: "relay.example", Port: 465, TLS: "implicit"}},
		{raw: "smtp://relay.example?tls=none", want: SMTPConfig{Host: "relay.example", Port: 25, TLS: "none"}},
		{raw: "smtp://relay.example:2525?tls=STARTTLS", want: SMTPConfig{Host: "relay.example", Port: 2525, TLS: "starttls"}},
		{raw: "smtp://u%40x:p%3Ass@relay.example:587",
			want: SMTPConfig{Host: "relay.example", Port: 587, TLS: "starttls", Username: "u@x", Password: "p:ss"}},
		{raw: "smtp://user:pw@127.0.0.1:1025?tls=none",
			want: SMTPConfig{Host: "127.0.0.1", Port: 1025, TLS: "none", Username: "user", Password: "pw"}},
		{raw: "smtp://user:pw@[::1]:1025?tls=none",
			want: SMTPConfig{Host: "::1", Port: 1025, TLS: "none", Username: "user", Password: "pw"}},
		{raw: "smtps://relay.example", wantErr: "scheme must be smtp"},
		{raw: "smtp://", wantErr: "host missing"},
		{raw: "smtp:relay.example", wantErr: "host missing"},
		{raw: "smtp://relay.example?tls=ssl", wantErr: `tls="ssl"`},
		{raw: "smtp://relay.example?tsl=none", wantErr: `unknown parameter "tsl"`},
		{raw: "smtp://relay.example:0", wantErr: "port"},
		{raw: "smtp://relay.example:70000", wantErr: "port"},
		{raw: "smtp://relay.example/path", wantErr: "path"},
		{raw: "smtp://user:secret@relay.example?tls=none", wantErr: "loopback"},
		{raw: "smtp://:secret@relay.example", wantErr: "user name"},
		{raw: "smtp://user:sec%zzret@relay.example", wantErr: "not a valid URL"},
		{raw: "smtp://user:secret@relay.example:port", wantErr: "port"},
	}
	for _, tt := range tests {
		got, err := ParseSMTPURL(tt.raw)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", tt.raw, err, tt.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "secret") {
				t.Errorf("%s: error %q leaks the password", tt.raw, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.raw, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.raw, got, tt.want)
		}
	}
}

func TestSMTPConfigStringHidesPassword(t *testing.T) {
	c := SMTPConfig{Host: "h", Port: 1, Username: "u", Password: "hunter2", TLS: TLSImplicit}
	if s := c.String(); strings.Contains(s, "hunter2") {
		t.Errorf("String() = %q leaks the password", s)
	}
}
