package mail

import "testing"

func TestRedactAddresses(t *testing.T) {
	tests := []struct{ in, want string }{
		{"250 OK", "250 OK"},
		{"<bob@example.com>: Recipient address rejected",
			"<redacted>: Recipient address rejected"},
		{"5.1.1 <bob@example.com>: Recipient address rejected: User unknown in virtual mailbox table",
			"5.1.1 <redacted>: Recipient address rejected: User unknown in virtual mailbox table"},
		{"The email account that you tried to reach does not exist: bob.smith+tag@mail.example.co.uk.",
			"The email account that you tried to reach does not exist: <redacted>."},
		{"mailbox bob@example.com is full, try later", "mailbox <redacted> is full, try later"},
		{`<"bob smith"@example.com>... User unknown`, "<redacted>... User unknown"},
		{`"john..doe"@example.org rejected`, "<redacted> rejected"},
		{`<"odd@local"@example.com> refused`, "<redacted> refused"},
		{"to=<a@b.c>, orig_to=<x_y@sub.example>", "to=<redacted>, orig_to=<redacted>"},
		{"two: a@x.org,b@y.org;", "two: <redacted>,<redacted>;"},
		{"quoted 'carol@example.com' here", "quoted '<redacted>' here"},
		{"o'brien@example.ie unknown", "<redacted> unknown"},
		{"literal user@[192.0.2.1] and user@[IPv6:2001:db8::1]", "literal <redacted> and <redacted>"},
		{"postmaster@localhost says no", "<redacted> says no"},
		{"josé@exämple.de 用户@例子.广告", "<redacted> <redacted>"},
		{"< spaced@example.com > x", "<redacted> x"},
		{"(dave@example.net)", "(<redacted>)"},
		{"RCPT TO:<eve@example.com> NOTIFY=NEVER", "RCPT TO:<redacted> NOTIFY=NEVER"},
		{"version 5.1.1 @ noon, foo@ and @bar", "version 5.1.1 @ noon, foo@ and @bar"},
		{"email: x@y", "email: <redacted>"},
		{`unterminated "quote@example.com`, `unterminated "<redacted>`},
	}
	for _, tt := range tests {
		if got := RedactAddresses(tt.in); got != tt.want {
			t.Errorf("RedactAddresses(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}
