package dsn

import (
	"strings"
	"testing"
)

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

// TestRecipientAddress: a record names its Final-Recipient, except after
// an alias inside the mailed domain, where it names the Original-Recipient
// (the address the sender mailed): not when the original is no address or
// the same one, the final one is in another domain, the original expanded
// to several, or the returned message itself names the final one.
func TestRecipientAddress(t *testing.T) {
	dsnOf := func(groups ...string) string {
		return "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail Returned to Sender\n" +
			"Content-Type: multipart/report; report-type=delivery-status; boundary=B\n\n" +
			"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.net\n\n" +
			strings.Join(groups, "\n") + "\n--B--\n"
	}
	group := func(final, orig string) string {
		g := "Final-Recipient: rfc822; " + final + "\n"
		if orig != "" {
			g += "Original-Recipient: " + orig + "\n"
		}
		return g + "Action: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\n"
	}
	withReturned := func(msg, to string) string {
		return strings.Replace(msg, "\n--B--\n", "\n--B\nContent-Type: text/rfc822-headers\n\nFrom: sender@example.org\nTo: "+to+"\nSubject: hi\n\n--B--\n", 1)
	}
	postfix := func(final, orig string) string {
		return "From: MAILER-DAEMON@mx.example.net\nSubject: Undelivered Mail Returned to Sender\n\n" +
			"This is the mail system at host mx.example.net.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n" +
			"<" + final + "> (expanded from <" + orig + ">): host mail.example.net[192.0.2.1] said: 550 5.1.1\n    User unknown (in reply to RCPT TO command)\n"
	}
	tests := []struct {
		name, msg string
		want      []string
	}{
		{"no Original-Recipient", dsnOf(group("a@example.com", "")), []string{"a@example.com"}},
		{"an alias of the mailed domain", dsnOf(group("person@example.com", "rfc822; alias@example.com")), []string{"alias@example.com"}},
		{"a directory name resolved to a host of the domain", dsnOf(group("HAASM@yogi.example.com", "rfc822; max.haas@example.com")), []string{"max.haas@example.com"}},
		{"a forward to another domain", dsnOf(group("person@mail.example.net", "rfc822; alias@example.com")), []string{"person@mail.example.net"}},
		{"a forward to the parent domain", dsnOf(group("a@example.com", "rfc822; a@sub.example.com")), []string{"a@example.com"}},
		{"a look-alike domain is another domain", dsnOf(group("a@badexample.com", "rfc822; b@example.com")), []string{"a@badexample.com"}},
		{"the same address quoted", dsnOf(group(`"a..b"@example.com`, "rfc822; a..b@example.com")), []string{`"a..b"@example.com`}},
		{"the same address in other case", dsnOf(group("A@Example.com", "rfc822; a@example.com")), []string{"A@Example.com"}},
		{"the type written twice", dsnOf(group("a@example.com", "rfc822; rfc822;a@example.com")), []string{"a@example.com"}},
		{"a path is no address", dsnOf(group("a@example.com", "rfc822; /var/mail/a")), []string{"a@example.com"}},
		{"an X.400 name is no address", dsnOf(group("a@example.com", "x400; c=us;a= ;p=example;o=mail;s=a")), []string{"a@example.com"}},
		{"an alias expanded to several: each member", dsnOf(group("m1@example.com", "rfc822; list@example.com"), group("m2@example.com", "rfc822; list@example.com")),
			[]string{"m1@example.com", "m2@example.com"}},
		{"the returned message names the final", withReturned(dsnOf(group("person@example.com", "rfc822; alias@example.com")), "Person <person@example.com>"),
			[]string{"person@example.com"}},
		{"the returned message names another", withReturned(dsnOf(group("person@example.com", "rfc822; alias@example.com")), "alias@example.com"),
			[]string{"alias@example.com"}},
		{"Postfix's note names the alias", postfix("person@example.com", "alias@example.com"), []string{"alias@example.com"}},
		{"Postfix's note names a forward", postfix("person@mail.example.net", "alias@example.com"), []string{"person@mail.example.net"}},
	}
	for _, tt := range tests {
		rep, err := Parse(strings.NewReader(tt.msg))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		var got []string
		for i := range rep.Recipients {
			got = append(got, rep.Recipients[i].Address())
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: addresses %q, want %q", tt.name, got, tt.want)
		}
	}
}
