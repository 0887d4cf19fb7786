package verp

import (
	"context"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

// FuzzVerify feeds arbitrary addresses to the decoder. A verified address
// must be exactly what Sign produces for the recipient it names (no second
// spelling verifies, other than letter case), and verification must not
// depend on letter case.
func FuzzVerify(f *testing.F) {
	keys, err := NewKeyRing(testKey, otherKey)
	if err != nil {
		f.Fatal(err)
	}
	c := Codec{Keys: keys}
	long, _ := c.Sign("bounces@example.com", "a-rather-long-recipient-name@example.com")
	refs := mapRefs{long.Ref: long.Recipient}
	for _, r := range []string{"alice@example.com", "x@y", "jürgen@exämple.de", "a\x00b@c"} {
		s, _ := c.Sign("bounces@example.com", r)
		f.Add(s.Address)
	}
	f.Add(long.Address)
	if st, err := c.SignStream("bounces@example.com", "al@example.com", "receipts"); err == nil {
		f.Add(st.Address)
	}
	f.Add("bounces@example.com")
	f.Add("bounces+@example.com")
	f.Add("<bounces+1@x>")
	f.Add("+2aaaaaaaaaaaaaaaa@")
	f.Fuzz(func(t *testing.T, addr string) {
		ctx := context.Background()
		rcpt, err := c.Verify(ctx, "", addr, refs)
		upper, uerr := c.Verify(ctx, "", upper(addr), refs) // ASCII only, as MTAs do
		if (err == nil) != (uerr == nil) || rcpt != upper {
			t.Fatalf("Verify(%q) = %q, %v but upper case gives %q, %v", addr, rcpt, err, upper, uerr)
		}
		if err != nil {
			return
		}
		token, _ := c.Split("", addr)
		if !keys.Matches(token, rcpt) {
			t.Fatalf("Verify(%q) = %q but Matches(%q, %q) is false", addr, rcpt, token, rcpt)
		}
		if !signedBySomeKey(keys, token, rcpt) {
			t.Fatalf("Verify(%q) = %q: token %q is not what any key signs", addr, rcpt, token)
		}
	})
}

// signedBySomeKey reports whether token is, up to letter case, exactly the
// token one of the ring's keys signs for rcpt (and the stream it carries).
func signedBySomeKey(keys *KeyRing, token, rcpt string) bool {
	for _, key := range keys.keys {
		one := &KeyRing{keys: [][]byte{key}}
		t, st := Canonical(token), StreamOf(token)
		if t == one.directToken(rcpt, st) || t == one.refToken(rcpt, st) {
			return true
		}
	}
	return false
}

// FuzzVerifierCheck builds reports from arbitrary addresses around tokens
// signed for two recipients. Whatever the fuzzer does, a verified report must
// be for one of them (it cannot forge a MAC), and every recipient the report
// names must be that one.
func FuzzVerifierCheck(f *testing.F) {
	keys, err := NewKeyRing(testKey)
	if err != nil {
		f.Fatal(err)
	}
	c := Codec{Keys: keys}
	signed := map[string]bool{}
	var addrs []string
	for _, r := range []string{"alice@example.com", "a-rather-long-recipient-name@example.com"} {
		s, _ := c.Sign("bounces@example.com", r)
		signed[s.Recipient] = true
		addrs = append(addrs, s.Address)
	}
	f.Add(addrs[0], "", "", "alice@example.com", "")
	f.Add("bounces@example.com", "<"+addrs[1]+">", "", "", "a-rather-long-recipient-name@example.com")
	f.Add(addrs[0], "", "1x", "victim@example.com", "alice@example.com")
	f.Add("", "", addrs[0][len("bounces+"):len(addrs[0])-len("@example.com")], "", "")
	v := &Verifier{Codec: c, Mailboxes: []string{"bounces@example.com"}, Header: "X-Bouncer-ID"}
	f.Fuzz(func(t *testing.T, deliveredTo, returnPath, header, final, original string) {
		r := &dsn.Report{
			Message:    dsn.Envelope{DeliveredTo: []string{deliveredTo}, To: []string{returnPath}},
			Original:   dsn.Original{ReturnPath: returnPath, Headers: map[string]string{"X-Bouncer-Id": header}},
			Recipients: []dsn.Recipient{{FinalRecipient: final, OriginalRecipient: original}},
		}
		vd := v.Check(context.Background(), r)
		if !vd.Verified {
			return
		}
		if !signed[vd.Recipient] {
			t.Fatalf("Check verified %q, which was never signed (report %+v)", vd.Recipient, r)
		}
		if got := recordRecipient(r.Recipients[0]); got != "" && got != vd.Recipient {
			t.Fatalf("Check verified %q but the record is counted against %q", vd.Recipient, got)
		}
	})
}
