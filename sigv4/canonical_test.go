package sigv4

import "testing"

func TestCanonicalURI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"//", "/"},
		{"/a/b/..", "/a"},
		{"/a/b/../", "/a/"},
		{"/../..", "/"},
		{"/a/./b//c/", "/a/b/c/"},
		{"/a%20b", "/a%2520b"}, // the wire form is encoded once more, as clients sign it
		{"/~user/x-y_z.t", "/~user/x-y_z.t"},
		{"/a b+c", "/a%20b%2Bc"},
	}
	for _, tt := range tests {
		if got := canonicalURI(tt.in); got != tt.want {
			t.Errorf("canonicalURI(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"b=2&a=1", "a=1&b=2"},
		{"a=2&a=1&a=10", "a=1&a=10&a=2"},
		{"a&b=", "a=&b="},
		{"%7E=%7e&x=a+b&y=a%20b", "x=a%2Bb&y=a%20b&~=~"},
		{"k=%zz", "k=%25zz"},
		{"&&a=1&", "a=1"},
		{"a/b=c/d", "a%2Fb=c%2Fd"},
	}
	for _, tt := range tests {
		if got := canonicalQuery(tt.in); got != tt.want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrimAll(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  a  ", "a"},
		{"a   b    c", "a b c"},
		{"\t a  b \t", "a b"},
		{"a\tb", "a\tb"},
	}
	for _, tt := range tests {
		if got := trimAll(tt.in); got != tt.want {
			t.Errorf("trimAll(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
