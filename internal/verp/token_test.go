package verp

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

var (
	testKey  = []byte("0123456789abcdef-test-key-not-secret")
	otherKey = []byte("another-key-of-enough-length-0000")
)

func ring(t testing.TB, keys ...[]byte) *KeyRing {
	t.Helper()
	k, err := NewKeyRing(keys...)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestPythonVectors compares Sign with addresses computed by the README's
// Python recipe (testdata/vectors.py, standard library only).
func TestPythonVectors(t *testing.T) {
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct{ Key, Recipient, Mailbox, Separator, Address string }
	if err := json.Unmarshal(raw, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) < 5 {
		t.Fatalf("only %d vectors", len(vectors))
	}
	for _, v := range vectors {
		c := Codec{Keys: ring(t, []byte(v.Key)), Separator: v.Separator}
		s, err := c.Sign(v.Mailbox, v.Recipient)
		if err != nil {
			t.Fatalf("Sign(%q, %q): %v", v.Mailbox, v.Recipient, err)
		}
		if s.Address != v.Address {
			t.Errorf("Sign(%q, %q) = %q, want %q (Python)", v.Mailbox, v.Recipient, s.Address, v.Address)
		}
		if local, _, _ := splitAt(s.Address); len(local) > MaxLocalPart {
			t.Errorf("Sign(%q, %q): local part has %d octets", v.Mailbox, v.Recipient, len(local))
		}
		refs := mapRefs{}
		if s.Ref != "" {
			refs[s.Ref] = s.Recipient
		}
		got, err := c.Verify(context.Background(), v.Mailbox, s.Address, refs)
		if want := Canonical(v.Recipient); err != nil || got != want {
			t.Errorf("Verify(%q) = %q, %v; want %q", s.Address, got, err, want)
		}
	}
}

type mapRefs map[string]string

func (m mapRefs) LookupRef(_ context.Context, ref string) (string, error) { return m[ref], nil }

func TestSignForms(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	tests := []struct {
		mailbox, rcpt string
		form          byte
	}{
		{"bounces@example.com", "alice@example.com", FormDirect},
		{"bounces@example.com", "abcdefghijklmnopqrstuv@example.com", FormRef}, // 34 octets: 1+56+16 > 56
		{"bounces@example.com", "abcdefghijk@example.com", FormDirect},         // 23 octets fit
		{strings.Repeat("b", 46) + "@example.com", "a@b.c", FormRef},
	}
	for _, tt := range tests {
		s, err := c.Sign(tt.mailbox, tt.rcpt)
		if err != nil {
			t.Fatalf("Sign(%q, %q): %v", tt.mailbox, tt.rcpt, err)
		}
		if s.Token[0] != tt.form {
			t.Errorf("Sign(%q, %q) token = %q, want form %c", tt.mailbox, tt.rcpt, s.Token, tt.form)
		}
		if (s.Ref != "") != (tt.form == FormRef) {
			t.Errorf("Sign(%q, %q) ref = %q", tt.mailbox, tt.rcpt, s.Ref)
		}
		if local, _, _ := splitAt(s.Address); len(local) > MaxLocalPart {
			t.Errorf("Sign(%q, %q) = %q: local part %d octets", tt.mailbox, tt.rcpt, s.Address, len(local))
		}
	}
}

func TestSignErrors(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	tests := []struct {
		mailbox, rcpt string
		want          error
	}{
		{"bounces", "a@b.c", ErrBadAddress},
		{"bounces@example.com", "nobody", ErrBadAddress},
		{"bounces@example.com", "a b@c.d", ErrBadAddress},
		{"bounces@example.com", "a@b.c\r\nBcc: x@y.z", ErrBadAddress},
		{strings.Repeat("b", 47) + "@example.com", "a@b.c", ErrTooLong},
	}
	for _, tt := range tests {
		if _, err := c.Sign(tt.mailbox, tt.rcpt); !errors.Is(err, tt.want) {
			t.Errorf("Sign(%q, %q) error = %v, want %v", tt.mailbox, tt.rcpt, err, tt.want)
		}
	}
}

func TestVerifyRejects(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	good, err := c.Sign("bounces@example.com", "alice@example.com")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := Codec{Keys: ring(t, otherKey)}.Sign("bounces@example.com", "alice@example.com")
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] = map[bool]byte{true: 'b', false: 'a'}[b[i] == 'a']
		return string(b)
	}
	tok := good.Token
	tests := []struct {
		name, addr string
		want       error
	}{
		{"no token", "bounces@example.com", ErrNoToken},
		{"other mailbox", "other+" + tok + "@example.com", ErrNoToken},
		{"other domain", "bounces+" + tok + "@example.org", ErrNoToken},
		{"recipient byte changed", "bounces+" + flip(tok, 3) + "@example.com", ErrForged},
		{"mac byte changed", "bounces+" + flip(tok, len(tok)-5) + "@example.com", ErrForged},
		{"last char non-canonical", "bounces+" + tok[:len(tok)-1] + "7@example.com", ErrMalformed},
		{"truncated", "bounces+" + tok[:len(tok)-8] + "@example.com", ErrMalformed}, // leaves trailing bits
		{"other key", other.Address, ErrForged},
		{"not base32", "bounces+1abc!def@example.com", ErrMalformed},
		{"unknown form", "bounces+9" + tok[1:] + "@example.com", ErrMalformed},
		{"reference without mapping", "bounces+2aaaaaaaaaaaaaaaa@example.com", ErrUnknownRef},
	}
	for _, tt := range tests {
		got, err := c.Verify(context.Background(), "bounces@example.com", tt.addr, mapRefs{})
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: Verify(%q) = %q, %v; want error %v", tt.name, tt.addr, got, err, tt.want)
		}
	}
}

func TestVerifyCaseInsensitive(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	s, _ := c.Sign("bounces@example.com", "Alice@Example.com")
	for _, addr := range []string{s.Address, strings.ToUpper(s.Address), "<" + s.Address + ">", "Bounces <" + strings.ToUpper(s.Address) + ">"} {
		got, err := c.Verify(context.Background(), "bounces@example.com", addr, nil)
		if err != nil || got != "alice@example.com" {
			t.Errorf("Verify(%q) = %q, %v; want alice@example.com", addr, got, err)
		}
	}
}

func TestKeyRotation(t *testing.T) {
	old := Codec{Keys: ring(t, otherKey)}
	s, _ := old.Sign("bounces@example.com", "alice@example.com")
	long, _ := old.Sign("bounces@example.com", "a-rather-long-recipient-name@example.com")
	refs := mapRefs{long.Ref: long.Recipient}
	rotated := Codec{Keys: ring(t, testKey, otherKey)} // new key signs, old still listed
	removed := Codec{Keys: ring(t, testKey)}
	for _, in := range []Signed{s, long} {
		if got, err := rotated.Verify(context.Background(), "", in.Address, refs); err != nil || got != in.Recipient {
			t.Errorf("retired key still listed: Verify(%q) = %q, %v; want %q", in.Address, got, err, in.Recipient)
		}
		if got, err := removed.Verify(context.Background(), "", in.Address, refs); !errors.Is(err, ErrForged) {
			t.Errorf("retired key removed: Verify(%q) = %q, %v; want ErrForged", in.Address, got, err)
		}
	}
	if ns, _ := rotated.Sign("bounces@example.com", "alice@example.com"); ns.Address == s.Address {
		t.Errorf("rotated ring signs with the old key: %q", ns.Address)
	}
}

// TestVerifyRejectsWhiteSpace: a token spelled with white space inside is
// another spelling of a valid token and must not verify (found by FuzzVerify).
func TestVerifyRejectsWhiteSpace(t *testing.T) {
	c := Codec{Keys: ring(t, testKey)}
	s, _ := c.Sign("bounces@example.com", "alice@example.com")
	for _, tok := range []string{s.Token[:1] + " " + s.Token[1:], s.Token[:1] + "\t" + s.Token[1:], s.Token + " ", " " + s.Token} {
		addr := "bounces+" + tok + "@example.com"
		if got, err := c.Verify(context.Background(), "", addr, nil); err == nil {
			t.Errorf("Verify(%q) = %q, nil; want an error", addr, got)
		}
		v := &Verifier{Codec: c}
		r := &dsn.Report{Message: dsn.Envelope{DeliveredTo: []string{addr}}}
		if vd := v.Check(context.Background(), r); vd.Verified {
			t.Errorf("Check(report delivered to %q) verified", addr)
		}
	}
}
