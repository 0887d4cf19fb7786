package verp

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

// A stream label is signed with the recipient: the address stays a single
// local part within 64 octets, verifies to its recipient and stream, and
// any change to the label is forged. Old tokens stay valid with no stream.
func TestSignStream(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	refs := mapRefs{}
	tests := []struct {
		mailbox, rcpt, stream string
		form                  byte
	}{
		{"bounces@example.com", "al@example.com", "receipts", FormDirectStream}, // 1+40+1+8 octets fit 56
		{"bounces@example.com", "alice@example.com", "password-reset", FormRefStream},
		{"bounces@example.com", "Alice@Example.com", "Newsletter_Weekly", FormRefStream},
		{"bounces@example.com", "a@b.c", strings.Repeat("s", MaxStream), FormRefStream},
	}
	for _, tt := range tests {
		s, err := c.SignStream(tt.mailbox, tt.rcpt, tt.stream)
		if err != nil {
			t.Fatalf("SignStream(%q, %q, %q): %v", tt.mailbox, tt.rcpt, tt.stream, err)
		}
		if s.Token[0] != tt.form || s.Stream != strings.ToLower(tt.stream) {
			t.Errorf("SignStream(%q, %q, %q) = token %q stream %q, want form %c", tt.mailbox, tt.rcpt, tt.stream, s.Token, s.Stream, tt.form)
		}
		if local, _, _ := splitAt(s.Address); len(local) > MaxLocalPart || strings.Count(s.Address, "@") != 1 {
			t.Errorf("SignStream = %q: local part %d octets", s.Address, len(local))
		}
		if s.Ref != "" {
			refs[s.Ref] = s.Recipient
		}
		got, err := c.Verify(context.Background(), tt.mailbox, s.Address, refs)
		if err != nil || got != Canonical(tt.rcpt) || StreamOf(s.Token) != strings.ToLower(tt.stream) {
			t.Errorf("Verify(%q) = %q, %v, stream %q", s.Address, got, err, StreamOf(s.Token))
		}
		// Another label on the same body does not verify.
		other := strings.TrimSuffix(s.Address, "@example.com")
		other = other[:strings.LastIndexByte(other, StreamSep)+1] + "newsletter@example.com"
		if tt.mailbox == "bounces@example.com" {
			if _, err := c.Verify(context.Background(), tt.mailbox, other, refs); !errors.Is(err, ErrForged) {
				t.Errorf("Verify(%q) with the stream changed: %v, want ErrForged", other, err)
			}
		}
		if !c.Keys.Matches(s.Token, tt.rcpt) || c.Keys.Matches(s.Token, "bob@example.com") {
			t.Errorf("Matches(%q) wrong", s.Token)
		}
	}
	old, _ := c.Sign("bounces@example.com", "alice@example.com")
	if got, err := c.Verify(context.Background(), "bounces@example.com", old.Address, nil); err != nil || got != "alice@example.com" || StreamOf(old.Token) != "" {
		t.Errorf("a token without a stream: %q, %v, stream %q", got, err, StreamOf(old.Token))
	}
	for _, bad := range []string{"", "a b", "news/letter", "é", strings.Repeat("s", MaxStream+1)} {
		if _, err := c.SignStream("bounces@example.com", "a@b.c", bad); bad != "" && !errors.Is(err, ErrBadStream) {
			t.Errorf("SignStream with stream %q: %v, want ErrBadStream", bad, err)
		}
	}
	if _, err := c.SignStream(strings.Repeat("b", 40)+"@example.com", "a@b.c", strings.Repeat("s", MaxStream)); !errors.Is(err, ErrTooLong) {
		t.Errorf("a stream that cannot fit: %v, want ErrTooLong", err)
	}
}

// A report is attributed to the stream of its verified token, else to the
// stream header of the returned message, else to "default"; the stream of a
// token for another recipient does not count.
func TestVerifierStream(t *testing.T) {
	const mbox = "bounces@example.com"
	c := Codec{Keys: ring(t, testKey)}
	v := &Verifier{Codec: c, Mailboxes: []string{mbox}}
	signed := func(rcpt, stream string) string {
		s, err := c.SignStream(mbox, rcpt, stream)
		if err != nil {
			t.Fatal(err)
		}
		return s.Address
	}
	report := func(to, rcpt, header string) *dsn.Report {
		return &dsn.Report{Type: dsn.TypeDSN, Message: dsn.Envelope{DeliveredTo: []string{to}},
			Recipients: []dsn.Recipient{{FinalRecipient: rcpt}},
			Original:   dsn.Original{Headers: map[string]string{"X-Bouncer-Stream": header}}}
	}
	tests := []struct {
		r    *dsn.Report
		want string
	}{
		{report(signed("alice@example.com", "receipts"), "alice@example.com", "newsletter"), "receipts"},
		{report(signed("alice@example.com", ""), "alice@example.com", "Newsletter"), "newsletter"},
		{report(signed("mallory@example.com", "receipts"), "alice@example.com", ""), DefaultStream},
		{report(signed("mallory@example.com", "receipts"), "alice@example.com", "bad label!"), DefaultStream},
		{report("bounces@example.com", "alice@example.com", "password-reset"), "password-reset"},
	}
	for i, tt := range tests {
		if got := v.Stream(context.Background(), tt.r, DefaultStreamHeader); got != tt.want {
			t.Errorf("case %d: Stream = %q, want %q", i, got, tt.want)
		}
	}
}

// A bad label's error names the first character not allowed, counting from
// 1, so an operator can find it.
func TestCheckStreamError(t *testing.T) {
	tests := []struct{ in, want string }{
		{"bad stream", `"bad stream": character 4 (' ') is not a-z, 0-9, '-' or '_'`},
		{"News/Letter", `"news/letter": character 5 ('/') is not a-z, 0-9, '-' or '_'`},
		{"caf\u00e9!", `"café!": character 4 ('é') is not a-z, 0-9, '-' or '_'`},
		{"", `"" must be 1 to 32 characters`},
	}
	for _, tt := range tests {
		_, err := CheckStream(tt.in)
		if !errors.Is(err, ErrBadStream) || !strings.HasSuffix(err.Error(), tt.want) {
			t.Errorf("CheckStream(%q) = %v, want ErrBadStream ending %q", tt.in, err, tt.want)
		}
	}
	if got, err := CheckStream(" Receipts_2 "); got != "receipts_2" || err != nil {
		t.Errorf("CheckStream(%q) = %q, %v, want receipts_2", " Receipts_2 ", got, err)
	}
}

// Attribute says where a report's stream came from, and names a stream
// header that is there but not a valid label (the report then goes to the
// default stream); with signed return paths off (nil Verifier) only the
// header counts.
func TestAttribute(t *testing.T) {
	const mbox = "bounces@example.com"
	c := Codec{Keys: ring(t, testKey)}
	v := &Verifier{Codec: c, Mailboxes: []string{mbox}}
	s, err := c.SignStream(mbox, "alice@example.com", "receipts")
	if err != nil {
		t.Fatal(err)
	}
	report := func(to, header string) *dsn.Report {
		return &dsn.Report{Type: dsn.TypeDSN, Message: dsn.Envelope{DeliveredTo: []string{to}},
			Recipients: []dsn.Recipient{{FinalRecipient: "alice@example.com"}},
			Original:   dsn.Original{Headers: map[string]string{"X-Bouncer-Stream": header}}}
	}
	tests := []struct {
		v                     *Verifier
		r                     *dsn.Report
		stream, source, label string
	}{
		{v, report(s.Address, "news letter!"), "receipts", SourceReturnPath, ""},
		{nil, report(s.Address, "Newsletter"), "newsletter", SourceHeader, ""},
		{v, report(mbox, "news letter!"), DefaultStream, SourceDefault, "news letter!"},
		{nil, report(mbox, ""), DefaultStream, SourceDefault, ""},
		{v, nil, DefaultStream, SourceDefault, ""},
	}
	for i, tt := range tests {
		a := Attribute(context.Background(), tt.v, tt.r, DefaultStreamHeader)
		if a.Stream != tt.stream || a.Source != tt.source || a.BadLabel != tt.label || (a.LabelErr != nil) != (tt.label != "") {
			t.Errorf("case %d: Attribute = %+v, want stream %q from %q, bad label %q", i, a, tt.stream, tt.source, tt.label)
		}
	}
	if a := Attribute(context.Background(), nil, report(mbox, "news letter!"), DefaultStreamHeader); !errors.Is(a.LabelErr, ErrBadStream) ||
		!strings.Contains(a.LabelErr.Error(), "character 5 (' ')") {
		t.Errorf("Attribute of a bad label: %v, want ErrBadStream naming character 5", a.LabelErr)
	}
}
