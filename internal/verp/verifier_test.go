package verp

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

func TestVerifierCheck(t *testing.T) {
	const mbox = "bounces@example.com"
	keys := ring(t, testKey)
	c := Codec{Keys: keys}
	sign := func(rcpt string) string {
		s, err := c.Sign(mbox, rcpt)
		if err != nil {
			t.Fatal(err)
		}
		return s.Address
	}
	alice, mallory := sign("alice@example.com"), sign("mallory@evil.example")
	longRcpt := "a-rather-long-recipient-name@example.com"
	long, _ := c.Sign(mbox, longRcpt)
	tampered := strings.Replace(alice, "+1m", "+1n", 1)
	bounce := func(deliveredTo string, rcpts ...string) *dsn.Report {
		r := &dsn.Report{Type: dsn.TypeDSN, Message: dsn.Envelope{DeliveredTo: []string{deliveredTo}}}
		for _, a := range rcpts {
			r.Recipients = append(r.Recipients, dsn.Recipient{FinalRecipient: a, Status: "5.1.1"})
		}
		return r
	}
	withOriginal := func(r *dsn.Report, returnPath, header string) *dsn.Report {
		r.Original = dsn.Original{ReturnPath: returnPath, Headers: map[string]string{"X-Bouncer-Id": header}}
		return r
	}
	aliased := bounce(alice)
	aliased.Recipients = []dsn.Recipient{{FinalRecipient: "alice.smith@mail.example.com", OriginalRecipient: "Alice@Example.com"}}
	originalOnly := bounce(alice)
	originalOnly.Recipients = []dsn.Recipient{{OriginalRecipient: "Alice@Example.com", Status: "5.1.1"}}
	// The forger's own token names them as original recipient, the victim as final.
	smuggled := bounce(mallory)
	smuggled.Recipients = []dsn.Recipient{{FinalRecipient: "victim@example.com", OriginalRecipient: "mallory@evil.example"}}
	complaint := func(returnPath string, rcpts ...string) *dsn.Report {
		r := &dsn.Report{Type: dsn.TypeARF, Feedback: &dsn.Feedback{OriginalRcptTo: rcpts}}
		for _, a := range rcpts {
			r.Recipients = append(r.Recipients, dsn.Recipient{FinalRecipient: a, FeedbackType: "abuse"})
		}
		r.Original.ReturnPath = "<" + returnPath + ">"
		return r
	}
	arf := complaint(alice, "alice@example.com")
	twoTokens := complaint(alice, "redacted@example.net")
	twoTokens.Message.DeliveredTo = []string{mallory}

	tests := []struct {
		name     string
		refs     RefLookup
		report   *dsn.Report
		verified bool
		rcpt     string
		note     string
	}{
		{"forged, no token", nil, bounce(mbox, "victim@example.com"), false, "", "no signed return path"},
		{"signed", nil, bounce(alice, "alice@example.com"), true, "alice@example.com", ""},
		{"signed, recipient in other case", nil, bounce(strings.ToUpper(alice), "ALICE@example.com"), true, "alice@example.com", ""},
		{"token for another address", nil, bounce(mallory, "victim@example.com"), false, "", `token is for ["mallory@evil.example"], the report names ["victim@example.com"]`},
		{"tampered", nil, bounce(tampered, "alice@example.com"), false, "", "none verifies"},
		{"token names the unnamed recipient", nil, bounce(alice), true, "alice@example.com", ""},
		{"token in returned Return-Path", nil, withOriginal(bounce(mbox, "alice@example.com"), "<"+alice+">", ""), true, "alice@example.com", ""},
		{"token in signed header", nil, withOriginal(bounce(mbox, "alice@example.com"), "", strings.TrimSuffix(strings.TrimPrefix(alice, "bounces+"), "@example.com")), true, "alice@example.com", ""},
		{"token covers one of two recipients", nil, bounce(alice, "alice@example.com", "victim@example.com"), false, "", "the report names"},
		{"original recipient only", nil, originalOnly, true, "alice@example.com", ""},
		{"original matches, final differs", nil, aliased, false, "", `the report names ["alice.smith@mail.example.com"]`},
		{"victim smuggled as final recipient", nil, smuggled, false, "", `the report names ["victim@example.com"]`},
		{"reference, recipient named", nil, bounce(long.Address, longRcpt), true, longRcpt, ""},
		{"reference, other recipient named", nil, bounce(long.Address, "victim@example.com"), false, "", "none verifies"},
		{"reference, none named, mapping stored", mapRefs{long.Ref: longRcpt}, bounce(long.Address), true, longRcpt, ""},
		{"reference, none named, no mapping", nil, bounce(long.Address), false, "", "none verifies"},
		{"two tokens, none named", nil, withOriginal(bounce(alice), "<"+mallory+">", ""), false, "", "different recipients"},
		{"two tokens, one matches", nil, withOriginal(bounce(mallory, "alice@example.com"), "<"+alice+">", ""), true, "alice@example.com", ""},
		{"ARF complaint", nil, arf, true, "alice@example.com", ""},
		// A complaint counts for the token's recipient: feedback loops
		// redact or replace the address they name.
		{"ARF complaint naming a redacted address", nil, complaint(alice, "redacted@example.net"), true, "alice@example.com", ""},
		{"ARF complaint naming a hashed address", nil, complaint(alice, "hashed@example.com", "xxx@example.com"), true, "alice@example.com", ""},
		{"ARF complaint naming no address", nil, complaint(alice), true, "alice@example.com", ""},
		{"forged ARF complaint naming a victim", nil, complaint(mallory, "victim@example.com"), true, "mallory@evil.example", ""},
		{"ARF complaint, tokens for two recipients", nil, twoTokens, false, "", "different recipients"},
		{"ARF complaint, tampered token", nil, complaint(tampered, "redacted@example.net"), false, "", "none verifies"},
		{"ARF complaint, reference, mapping stored", mapRefs{long.Ref: longRcpt}, complaint(long.Address, "redacted@example.net"), true, longRcpt, ""},
		{"nil report", nil, nil, false, "", "no report"},
		{"token for an unconfigured mailbox", nil, bounce(strings.Replace(alice, "@example.com", "@example.org", 1), "alice@example.com"), false, "", "no signed return path"},
	}
	for _, tt := range tests {
		v := &Verifier{Codec: c, Mailboxes: []string{"other@example.net", mbox}, Header: "X-Bouncer-ID", Refs: tt.refs}
		got := v.Check(context.Background(), tt.report)
		suspicious := !tt.verified && tt.note != "no signed return path" && tt.note != "no report"
		if got.Verified != tt.verified || got.Recipient != tt.rcpt || !strings.Contains(got.Note, tt.note) || got.Suspicious != suspicious {
			t.Errorf("%s: Check = %+v, want verified=%v recipient=%q note containing %q suspicious=%v", tt.name, got, tt.verified, tt.rcpt, tt.note, suspicious)
		}
	}
}

func TestVerifierPollerFunc(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	s, _ := c.Sign("bounces@example.com", "alice@example.com")
	f := (&Verifier{Codec: c}).PollerFunc()
	r := &dsn.Report{Message: dsn.Envelope{To: []string{"Mail Delivery <" + s.Address + ">"}}}
	if ok, rcpt := f(context.Background(), r, nil); !ok || rcpt != "alice@example.com" {
		t.Errorf("Func(...)(report to %q) = %v, %q; want true, alice@example.com", s.Address, ok, rcpt)
	}
}

func TestVerifierLogsSuspicious(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	mallory, _ := c.Sign("bounces@example.com", "mallory@evil.example")
	var buf bytes.Buffer
	v := &Verifier{Codec: c, Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	f := v.PollerFunc()
	f(context.Background(), &dsn.Report{Message: dsn.Envelope{MessageID: "<forged@x>", DeliveredTo: []string{mallory.Address}},
		Recipients: []dsn.Recipient{{FinalRecipient: "victim@example.com"}}}, nil)
	f(context.Background(), &dsn.Report{Message: dsn.Envelope{MessageID: "<plain@x>", DeliveredTo: []string{"bounces@example.com"}}}, nil)
	got := buf.String()
	if !strings.Contains(got, "level=WARN") || !strings.Contains(got, "<forged@x>") || !strings.Contains(got, "victim@example.com") {
		t.Errorf("log = %q, want a warning naming the forged message and the victim", got)
	}
	if strings.Contains(got, "<plain@x>") || strings.Contains(got, string(testKey)) {
		t.Errorf("log = %q: an unsigned bounce logs only at debug level, and no key ever", got)
	}
}
