package suppression

// End-to-end tests of the trust issue through the public APIs: raw bounce
// bytes → dsn.Parse → verp.Verifier → Store.Record, on SQLite and Postgres.
// Owned by the trust work (see /work/readme-parts/trust.md).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

var (
	trustNewKey = []byte("new-key-0123456789abcdef")
	trustOldKey = []byte("old-key-0123456789abcdef")
)

// rawBounce is a Postfix-style DSN delivered to deliveredTo, for recipient.
func rawBounce(deliveredTo, recipient string) string {
	return "Delivered-To: " + deliveredTo + "\r\nFrom: MAILER-DAEMON@mx.example.net\r\nTo: " + deliveredTo + "\r\n" +
		"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <" + recipient + ".bounce@mx.example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n" +
		"--B\r\nContent-Type: text/plain\r\n\r\nI could not deliver your message.\r\n" +
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n" +
		"Final-Recipient: rfc822; " + recipient + "\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
		"Diagnostic-Code: smtp; 550 5.1.1 <" + recipient + ">: Recipient address rejected: User unknown\r\n\r\n" +
		"--B--\r\n"
}

func signFor(t *testing.T, keys *verp.KeyRing, rcpt string) string {
	t.Helper()
	s, err := verp.Codec{Keys: keys}.Sign("bounces@example.com", rcpt)
	if err != nil {
		t.Fatal(err)
	}
	return s.Address
}

func ringOf(t *testing.T, keys ...[]byte) *verp.KeyRing {
	t.Helper()
	k, err := verp.NewKeyRing(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// ingest parses raw, verifies it with keys and records it, as the poller does.
func ingest(t *testing.T, s *Store, keys *verp.KeyRing, raw string) Message {
	t.Helper()
	rep, err := dsn.Parse(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("dsn.Parse: %v", err)
	}
	return ingestReport(t, s, keys, raw, rep)
}

func ingestReport(t *testing.T, s *Store, keys *verp.KeyRing, raw string, rep *dsn.Report) Message {
	t.Helper()
	v := &verp.Verifier{Codec: verp.Codec{Keys: keys}, Mailboxes: []string{"bounces@example.com"}, Refs: s}
	sum := sha256.Sum256([]byte(raw))
	m := Message{Key: hex.EncodeToString(sum[:]), Mailbox: "main", ReceivedAt: t0, Report: rep}
	m.Verified, m.VerifiedRecipient = v.PollerFunc()(context.Background(), rep, nil)
	if _, err := s.Record(context.Background(), []Message{m}, t0); err != nil {
		t.Fatalf("Record: %v", err)
	}
	return m
}

// evidence returns the verified flags of the events of rcpt and whether
// rcpt is suppressed.
func evidence(t *testing.T, s *Store, rcpt string) (verified []bool, suppressed bool) {
	t.Helper()
	if err := s.rdb.SelectContext(context.Background(), &verified, s.q(`SELECT verified FROM bounce_events WHERE recipient = ?`), rcpt); err != nil {
		t.Fatal(err)
	}
	d, err := s.Get(context.Background(), rcpt)
	if err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	return verified, d.Entry.Suppressed
}

func TestTrustRequireVerified(t *testing.T) {
	current, rotated := ringOf(t, trustNewKey), ringOf(t, trustNewKey, trustOldKey)
	old := ringOf(t, trustOldKey)
	tampered := strings.Replace(signFor(t, current, "tampered@example.com"), "+1", "+1a", 1)
	tests := []trustCase{
		{"forged, no token", "bounces@example.com", "forged@example.com", current, false},
		{"signed", signFor(t, current, "signed@example.com"), "signed@example.com", current, true},
		{"token for another address", signFor(t, current, "mallory@evil.example"), "victim@example.com", current, false},
		{"tampered token", tampered, "tampered@example.com", current, false},
		{"retired key still listed", signFor(t, old, "retired-listed@example.com"), "retired-listed@example.com", rotated, true},
		{"retired key removed", signFor(t, old, "retired-removed@example.com"), "retired-removed@example.com", current, false},
	}
	for _, require := range []bool{true, false} {
		t.Run(map[bool]string{true: "require_verified", false: "counted_as_before"}[require], func(t *testing.T) {
			trustRequireVerified(t, require, tests)
		})
	}
}

type trustCase struct {
	name, deliveredTo, rcpt string
	keys                    *verp.KeyRing
	wantVerified            bool
}

func trustRequireVerified(t *testing.T, require bool, tests []trustCase) {
	dialects(t, Options{Policy: &Policy{RequireVerified: require}}, func(t *testing.T, s *Store) {
		for _, tt := range tests {
			m := ingest(t, s, tt.keys, rawBounce(tt.deliveredTo, tt.rcpt))
			if m.Verified != tt.wantVerified {
				t.Errorf("%s: verified = %v, want %v", tt.name, m.Verified, tt.wantVerified)
			}
			verified, suppressed := evidence(t, s, tt.rcpt)
			if len(verified) != 1 || verified[0] != tt.wantVerified {
				t.Errorf("%s: events verified = %v, want one event, verified=%v (recorded either way)", tt.name, verified, tt.wantVerified)
			}
			if want := tt.wantVerified || !require; suppressed != want {
				t.Errorf("%s (require_verified=%v): suppressed = %v, want %v", tt.name, require, suppressed, want)
			}
		}
	})
}

// TestTrustSmuggledFinalRecipient: the forger's own token, their address as
// Original-Recipient and the victim's as Final-Recipient (the one the store
// counts) must not verify.
func TestTrustSmuggledFinalRecipient(t *testing.T) {
	keys := ringOf(t, trustNewKey)
	raw := strings.Replace(rawBounce(signFor(t, keys, "mallory@evil.example"), "victim@example.com"),
		"Action: failed", "Original-Recipient: rfc822; mallory@evil.example\r\nAction: failed", 1)
	dialects(t, Options{Policy: &Policy{RequireVerified: true}}, func(t *testing.T, s *Store) {
		if m := ingest(t, s, keys, raw); m.Verified {
			t.Errorf("smuggled victim: verified (recipient %q)", m.VerifiedRecipient)
		}
		if verified, suppressed := evidence(t, s, "victim@example.com"); len(verified) != 1 || verified[0] || suppressed {
			t.Errorf("victim: events verified %v, suppressed %v; want one unverified event, not suppressed", verified, suppressed)
		}
	})
}

// TestTrustSmuggledAliasRecipient: in one domain, an Original-Recipient
// and a different Final-Recipient read as an alias of the domain, counted
// against the original (dsn.Recipient.Address). A forger holding a token
// for their own address still reaches no one else: naming themselves as
// original and the victim as final counts against themselves only; naming
// the victim as original counts against the victim, whom the token does
// not cover, so it does not verify.
func TestTrustSmuggledAliasRecipient(t *testing.T) {
	keys := ringOf(t, trustNewKey)
	token := signFor(t, keys, "mallory@example.com")
	finalVictim := strings.Replace(rawBounce(token, "victim@example.com"),
		"Action: failed", "Original-Recipient: rfc822; mallory@example.com\r\nAction: failed", 1)
	originalVictim := strings.Replace(rawBounce(token, "mallory@example.com"),
		"Action: failed", "Original-Recipient: rfc822; victim@example.com\r\nAction: failed", 1)
	dialects(t, Options{Policy: &Policy{RequireVerified: true}}, func(t *testing.T, s *Store) {
		if m := ingest(t, s, keys, finalVictim); !m.Verified || m.VerifiedRecipient != "mallory@example.com" {
			t.Errorf("victim as final recipient: verified %v, recipient %q; want verified for the forger's own address", m.Verified, m.VerifiedRecipient)
		}
		if verified, _ := evidence(t, s, "victim@example.com"); len(verified) != 0 {
			t.Errorf("victim as final recipient: victim has events %v, want none", verified)
		}
		if m := ingest(t, s, keys, originalVictim); m.Verified {
			t.Errorf("victim as original recipient: verified (recipient %q)", m.VerifiedRecipient)
		}
		if verified, suppressed := evidence(t, s, "victim@example.com"); len(verified) != 1 || verified[0] || suppressed {
			t.Errorf("victim as original recipient: events verified %v, suppressed %v; want one unverified event, not suppressed", verified, suppressed)
		}
	})
}

// TestTrustTokenNamesRecipient: a signed bounce whose report names no
// recipient takes the token's, direct or by stored reference.
func TestTrustTokenNamesRecipient(t *testing.T) {
	keys := ringOf(t, trustNewKey)
	dialects(t, Options{Policy: &Policy{RequireVerified: true}}, func(t *testing.T, s *Store) {
		long := "a-rather-long-recipient-name.for-a-reference@example.com"
		ref, err := verp.Codec{Keys: keys}.Sign("bounces@example.com", long)
		if err != nil || ref.Ref == "" {
			t.Fatalf("Sign(%q) = %+v, %v; want a reference", long, ref, err)
		}
		if err := s.PutVERPRef(context.Background(), ref.Ref, ref.Recipient, t0); err != nil {
			t.Fatal(err)
		}
		for _, rcpt := range []string{"nameless@example.com", long} {
			to := signFor(t, keys, rcpt)
			rep := &dsn.Report{Type: dsn.TypeDSN, Message: dsn.Envelope{DeliveredTo: []string{to}},
				Recipients: []dsn.Recipient{{Action: "failed", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}}}
			m := ingestReport(t, s, keys, "nameless "+rcpt, rep)
			if !m.Verified || m.VerifiedRecipient != rcpt {
				t.Errorf("bounce naming no recipient to a token for %q: verified %v, recipient %q", rcpt, m.Verified, m.VerifiedRecipient)
			}
			if verified, suppressed := evidence(t, s, rcpt); len(verified) != 1 || !verified[0] || !suppressed {
				t.Errorf("%s: events verified %v, suppressed %v; want one verified event and suppressed", rcpt, verified, suppressed)
			}
		}
	})
}

// TestTrustHostileFieldsRecord: a report whose fields carry NUL bytes,
// invalid UTF-8 and control characters must still record (Postgres text
// refuses NUL and invalid UTF-8); otherwise one message blocks its whole
// batch on every poll.
func TestTrustHostileFieldsRecord(t *testing.T) {
	evil := "x\x00\xff\xfe\x1b[2J"
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		r := &dsn.Report{Type: dsn.TypeDSN, ReportingMTA: "mx" + evil,
			Message:  dsn.Envelope{MessageID: "<id" + evil + ">", Subject: "s" + evil, From: "f" + evil},
			Original: dsn.Original{MessageID: "<o" + evil + ">"},
			Recipients: []dsn.Recipient{{FinalRecipient: "poison@example.com", Action: "failed", Status: "5.1.1",
				Diagnostic: "550 " + evil, RemoteMTA: "r" + evil, Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}}}
		_, err := s.Record(context.Background(), []Message{{Key: "poison", Mailbox: "main", ReceivedAt: t0, Report: r}}, t0)
		if err != nil {
			t.Fatalf("Record(report with NUL, invalid UTF-8, ESC): %v", err)
		}
		quarantined := Message{Key: "poison-unparsed", Mailbox: "main", ReceivedAt: t0, ParseError: "bad" + evil, Subject: "s" + evil, From: "f" + evil}
		if _, err := s.Record(context.Background(), []Message{quarantined}, t0); err != nil {
			t.Fatalf("Record(unparsed message with NUL, invalid UTF-8, ESC): %v", err)
		}
		if verified, suppressed := evidence(t, s, "poison@example.com"); len(verified) != 1 || !suppressed {
			t.Errorf("poison@example.com: %d events, suppressed %v; want the hard bounce recorded and counted", len(verified), suppressed)
		}
	})
}

// TestTrustParsedNamelessBounce: the same through dsn.Parse with
// KeepNameless (as the poller parses when signed return paths are
// configured), whose record must survive an empty Final-Recipient for the
// token to name it.
func TestTrustParsedNamelessBounce(t *testing.T) {
	keys := ringOf(t, trustNewKey)
	rcpt := "nameless@example.com"
	raw := strings.Replace(rawBounce(signFor(t, keys, rcpt), rcpt), "Final-Recipient: rfc822; "+rcpt, "Final-Recipient: rfc822;", 1)
	raw = strings.ReplaceAll(raw, "<"+rcpt+">", "<>")
	rep, err := dsn.ParseWithOptions(strings.NewReader(raw), &dsn.Options{KeepNameless: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Recipients) != 1 || rep.Recipients[0].FinalRecipient != "" {
		t.Fatalf("dsn.Parse(failed group with an empty Final-Recipient) = %+v, want one record without a recipient", rep.Recipients)
	}
	dialects(t, Options{Policy: &Policy{RequireVerified: true}}, func(t *testing.T, s *Store) {
		if m := ingestReport(t, s, keys, raw, rep); !m.Verified || m.VerifiedRecipient != rcpt {
			t.Errorf("verified %v, recipient %q; want true, %q", m.Verified, m.VerifiedRecipient, rcpt)
		}
		if _, suppressed := evidence(t, s, rcpt); !suppressed {
			t.Errorf("%s not suppressed", rcpt)
		}
	})
}

// TestTrustComplaintCountsForTheToken: a feedback loop's complaint names the
// complainer as redacted@example.net (the sample as the provider sent it,
// its returned message carrying Alice's signed return path): the complaint
// counts for Alice, verified, and the placeholder gets nothing. One naming
// two hashed addresses (and no Message-ID) counts once for Bob's token. A
// forger holding their own token who names a victim suppresses only
// themselves.
func TestTrustComplaintCountsForTheToken(t *testing.T) {
	sample, err := os.ReadFile("../dsn/testdata/corpus/sisimai/arf-01.eml")
	if err != nil {
		t.Fatal(err)
	}
	keys := ringOf(t, trustNewKey)
	complaintFrom := func(returnPath, complainer string) string {
		raw := strings.Replace(string(sample), "Return-Path: <support@example.ed.jp>", "Return-Path: <"+returnPath+">", 1)
		return strings.Replace(raw, "To: redacted@example.net", "To: "+complainer, 1)
	}
	redacted := complaintFrom(signFor(t, keys, "alice@example.com"), "redacted@example.net")
	forged := complaintFrom(signFor(t, keys, "mallory@evil.example"), "victim@example.com")
	hashed := strings.Replace(complaintFrom(signFor(t, keys, "bob@example.com"), "xxx@example.net"),
		"Feedback-Type: abuse\n", "Feedback-Type: abuse\nOriginal-Rcpt-To: h1@example.net\nOriginal-Rcpt-To: h2@example.net\n", 1)
	hashed = strings.Replace(hashed, "Message-ID: <000000000000000.000000000000@x34.mx.example.net>\n", "", 1)
	for _, require := range []bool{true, false} {
		t.Run(map[bool]string{true: "require_verified", false: "counted_as_before"}[require], func(t *testing.T) {
			trustComplaints(t, require, keys, redacted, hashed, forged)
		})
	}
}

func trustComplaints(t *testing.T, require bool, keys *verp.KeyRing, redacted, hashed, forged string) {
	dialects(t, Options{Policy: &Policy{RequireVerified: require}}, func(t *testing.T, s *Store) {
		if m := ingest(t, s, keys, redacted); !m.Verified || m.VerifiedRecipient != "alice@example.com" {
			t.Errorf("redacted complaint: verified %v, recipient %q; want true, alice@example.com", m.Verified, m.VerifiedRecipient)
		}
		if verified, suppressed := evidence(t, s, "alice@example.com"); len(verified) != 1 || !verified[0] || !suppressed {
			t.Errorf("alice: events verified %v, suppressed %v; want one verified event and suppressed", verified, suppressed)
		}
		if verified, _ := evidence(t, s, "redacted@example.net"); len(verified) != 0 {
			t.Errorf("the placeholder redacted@example.net has events %v, want none", verified)
		}
		ingest(t, s, keys, forged)
		if verified, suppressed := evidence(t, s, "victim@example.com"); len(verified) != 0 || suppressed {
			t.Errorf("victim: events %v, suppressed %v; want none", verified, suppressed)
		}
		if _, suppressed := evidence(t, s, "mallory@evil.example"); !suppressed {
			t.Errorf("the forger's own address is not suppressed")
		}
		ingest(t, s, keys, hashed)
		if verified, suppressed := evidence(t, s, "bob@example.com"); len(verified) != 1 || !suppressed {
			t.Errorf("bob: events %v, suppressed %v; want one event and suppressed", verified, suppressed)
		}
	})
}
