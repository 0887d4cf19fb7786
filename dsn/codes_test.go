package dsn

import "testing"

func TestParseStatus(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5.1.1", "5.1.1"},
		{"5.1.1 (user unknown)", "5.1.1"},
		{" 4.4.7", "4.4.7"},
		{"5.0.0 (permanent failure)", "5.0.0"},
		{"5.1.10", "5.1.10"},
		{"2.0.0", "2.0.0"},
		{"550 5.7.1 denied", "5.7.1"},
		{"5.1", ""},
		{"", ""},
		{"garbage", ""},
	}
	for _, tt := range tests {
		if got := parseStatus(tt.in); got != tt.want {
			t.Errorf("parseStatus(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindStatus(t *testing.T) {
	tests := []struct{ in, want string }{
		{"550 5.1.1 <a@b.example>... User unknown", "5.1.1"},
		{"Unable to contact LDAP server. (#4.4.3)", "4.4.3"},
		{"version 10.5.1.2 is installed", ""},
		{"host 192.0.2.5 said 550", ""},
		{"550-5.7.26 Unauthenticated email", "5.7.26"},
		{"address a5.1.1@example.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := findStatus(tt.in); got != tt.want {
			t.Errorf("findStatus(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFindReplyCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"550 5.1.1 User unknown", "550"},
		{"550-5.7.1 blocked", "550"},
		{"host mx.example.jp[192.0.2.1] said: 452 4.2.2 Mailbox full", "452"},
		{"<<< 550 User unknown", "550"},
		{"Remote host said: 552 Error: disk quota exceeded", "552"},
		{"Sat, 21 Jun 2014 18:34:34 +0000", ""},
		{"connect to 192.0.2.250:25: Connection refused", ""},
		{"550: : User unknown", "550"},
		{"5.3.0 - Other mail system problem 550-'Unknown user'", "550"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := findReplyCode(tt.in); got != tt.want {
			t.Errorf("findReplyCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStatusAfterReply(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5.1.0 - Unknown address error 550-'5.7.1 <x@y.example>... Access denied'", "5.7.1"},
		{"550 5.2.2 Mailbox full", "5.2.2"},
		{"550 4.2.2 odd", ""},
		{"no code here", ""},
	}
	for _, tt := range tests {
		if got := statusAfterReply(tt.in); got != tt.want {
			t.Errorf("statusAfterReply(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInnerReplyCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"554 <kijitora@example.org>... 550 Host unknown", "550"},
		{"550 5.1.1 <a@b.example>... User unknown", ""},
		{"no code", ""},
	}
	for _, tt := range tests {
		if got := innerReplyCode(tt.in); got != tt.want {
			t.Errorf("innerReplyCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripTypeAndDiagType(t *testing.T) {
	tests := []struct{ in, value, typ string }{
		{"smtp; 550 5.1.1 User unknown", "550 5.1.1 User unknown", "smtp"},
		{"X-Postfix; host said: 550", "host said: 550", "x-postfix"},
		{"rfc822;user@example.com", "user@example.com", "rfc822"},
		{"dns; mx.example.com", "mx.example.com", "dns"},
		{"550 User unknown; try again", "550 User unknown; try again", ""},
		{"  no type  ", "no type", ""},
	}
	for _, tt := range tests {
		if got := stripType(tt.in); got != tt.value {
			t.Errorf("stripType(%q) = %q, want %q", tt.in, got, tt.value)
		}
		if got := diagType(tt.in); got != tt.typ {
			t.Errorf("diagType(%q) = %q, want %q", tt.in, got, tt.typ)
		}
	}
}

func TestFindCommand(t *testing.T) {
	tests := []struct{ in, want string }{
		{"host mx[192.0.2.1] said: 550 5.1.1 unknown (in reply to RCPT TO command)", "RCPT"},
		{"SMTP error from remote mail server after MAIL FROM:<a@b> SIZE=1: 550", "MAIL"},
		{"550 5.7.1 spam (in reply to end of DATA command)", "DATA"},
		{"SMTP error from remote mail server after initial connection: 554", "CONN"},
		{"550 User unknown", ""},
		{"192.0.2.1 does not like recipient. Remote host said: 550 5.1.1 <a@b>... User Unknown", "RCPT"},
		{"Connected to 192.0.2.1 but sender was rejected. Remote host said: 553 sorry", "MAIL"},
		{"Connected to 192.0.2.1 but my name was rejected. Remote host said: 501 5.0.0 Invalid domain name", "HELO"},
		{"192.0.2.1 failed after I sent the message. Remote host said: 550 5.7.26 Unauthenticated email from example.jp, MAIL FROM domain", "DATA"},
		{"The error that the other server returned was: 550 550 <a@b>: User unknown (state 14).", "RCPT"},
		{"The error that the other server returned was: 554 554 5.7.0 Header error (state 18).", "DATA"},
		{"The error that the other server returned was: 550 550 5.7.1 <a@b>... Access denied (state 13).", ""},
	}
	for _, tt := range tests {
		if got := findCommand(tt.in); got != tt.want {
			t.Errorf("findCommand(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
