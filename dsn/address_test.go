package dsn

import "testing"

func TestCleanAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"rfc822; user@example.com", "user@example.com"},
		{"RFC822; <User@Example.COM>", "User@Example.COM"},
		{"Kijitora <kijitora@example.jp>", "kijitora@example.jp"},
		{`rfc822; "neko..nyaan"@example.org`, `"neko..nyaan"@example.org`},
		{"rfc822; @smtp.example.net:user@example.net", "user@example.net"},
		{"<Undisclosed Recipients>", "Undisclosed Recipients"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cleanAddr(tt.in); got != tt.want {
			t.Errorf("cleanAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindAddr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"There was an error delivering your mail to <a@b.example>.", "a@b.example"},
		{"save to /home/neko/.cat/kijitora@example.com: failed", "kijitora@example.com"},
		{"user@[192.0.2.1] said", "user@[192.0.2.1]"},
		{"no address @ here", ""},
		{"trailing.dot@example.com.", "trailing.dot@example.com"},
		{"Message delivery to 'tg@example.com' delayed", "tg@example.com"},
		{"o'brien@example.com said", "o'brien@example.com"},
		{"'o'brien@example.com'", "o'brien@example.com"},
	}
	for _, tt := range tests {
		if got := findAddr(tt.in); got != tt.want {
			t.Errorf("findAddr(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDecodeXtext(t *testing.T) {
	tests := []struct{ in, want string }{
		{`\x{65E5}\x{672C}@example.jp`, "日本@example.jp"},
		{"plain@example.com", "plain@example.com"},
		{`bad\x{zz}@example.com`, `bad\x{zz}@example.com`},
	}
	for _, tt := range tests {
		if got := decodeXtext(tt.in); got != tt.want {
			t.Errorf("decodeXtext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPlausibleAddr(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"user@example.com", true},
		{"@mx.example.org", false},
		{"/mail/spool/n2.nyaan", false},
		{"user@localhost", false},
	}
	for _, tt := range tests {
		if got := plausibleAddr(tt.in); got != tt.want {
			t.Errorf("plausibleAddr(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
