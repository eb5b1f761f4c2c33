package turkmail

import (
	"bytes"
	"strings"
	"testing"
)

func TestMoney(t *testing.T) {
	for _, tc := range []struct {
		in    string
		cents int64
		ok    bool
		out   string
	}{
		{"10000.00", 1000000, true, "10000.00"},
		{"12", 1200, true, "12.00"},
		{"12.5", 1250, true, "12.50"},
		{"0.07", 7, true, "0.07"},
		{"", 0, false, ""},
		{"12.", 0, false, ""},
		{".5", 0, false, ""},
		{"1.234", 0, false, ""},
		{"-1", 0, false, ""},
		{"1e3", 0, false, ""},
		{"1,00", 0, false, ""},
		{"9999999999999", 0, false, ""},
	} {
		cents, err := ParseMoney(tc.in)
		if (err == nil) != tc.ok || cents != tc.cents {
			t.Errorf("ParseMoney(%q) = %d, %v", tc.in, cents, err)
		}
		if tc.ok && FormatMoney(cents) != tc.out {
			t.Errorf("FormatMoney(%d) = %q, want %q", cents, FormatMoney(cents), tc.out)
		}
	}
	if FormatMoney(-5) != "-0.05" {
		t.Errorf("FormatMoney(-5) = %q", FormatMoney(-5))
	}
}

func TestSealer(t *testing.T) {
	rand := bytes.NewReader(bytes.Repeat([]byte{7}, 1024))
	plain, _ := NewSealer(nil, rand)
	sealed, _ := NewSealer([]byte("operator key"), rand)
	other, _ := NewSealer([]byte("another key"), rand)

	s, err := plain.Seal("secret")
	if err != nil || s != "plain:secret" {
		t.Fatalf("plain Seal = %q, %v", s, err)
	}
	s, err = sealed.Seal("secret")
	if err != nil || !strings.HasPrefix(s, "sealed1:") || strings.Contains(s, "secret") {
		t.Fatalf("sealed Seal = %q, %v", s, err)
	}
	if got, err := sealed.Open(s); err != nil || got != "secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	// A key sealed before TURKMAIL_SECRET_KEY was set still opens after it is set.
	if got, err := sealed.Open("plain:old"); err != nil || got != "old" {
		t.Fatalf("Open(plain) with a key = %q, %v", got, err)
	}
	for name, tc := range map[string]struct {
		s      *Sealer
		stored string
	}{
		"sealed without a key": {plain, s},
		"sealed with another":  {other, s},
		"unknown format":       {sealed, "rot13:frperg"},
		"corrupt":              {sealed, "sealed1:!!"},
		"truncated":            {sealed, "sealed1:AAAA"},
	} {
		if _, err := tc.s.Open(tc.stored); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
}
