package turkmail

import (
	"strings"
	"testing"
)

func TestValidWorkerID(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"A1B2C3", true},
		{"AZ", true},
		{"A" + strings.Repeat("9", 63), true},  // 64 characters
		{"A" + strings.Repeat("9", 64), false}, // 65
		{"A", false},
		{"", false},
		{"B123", false},
		{"a123", false},
		{"A12b", false},
		{"A12 3", false},
		{"AÉ", false},
	} {
		if got := ValidWorkerID(tc.id); got != tc.want {
			t.Errorf("ValidWorkerID(%q) [%d chars] = %v, want %v", tc.id, len(tc.id), got, tc.want)
		}
	}
}

func TestCheckWorker(t *testing.T) {
	for _, tc := range []struct {
		id, email, name string
		wantEmail       string
		wantName        string
		ok              bool
	}{
		{"AW1", "ann@example.org", "", "ann@example.org", "", true},
		{"AW1", " Ann Lee <ann@example.org> ", "", "ann@example.org", "Ann Lee", true},
		{"AW1", "Ann Lee <ann@example.org>", "Annie", "ann@example.org", "Annie", true},
		{"AW1", "ann", "", "", "", false},
		{"AW1", "ann@example.org, bob@example.org", "", "", "", false},
		{"AW1", "ann@example.org\r\nBcc: x@example.org", "", "", "", false},
		{"aw1", "ann@example.org", "", "", "", false},
		{"AW1", "ann@example.org", "bad\x01name", "", "", false},
	} {
		w, err := checkWorker(tc.id, tc.email, tc.name)
		if (err == nil) != tc.ok || (tc.ok && (w.Email != tc.wantEmail || w.Name != tc.wantName)) {
			t.Errorf("checkWorker(%q, %q, %q) = %+v, %v", tc.id, tc.email, tc.name, w, err)
		}
	}
}
