package verp

import (
	"context"
	"testing"
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
// token one of the ring's keys signs for rcpt.
func signedBySomeKey(keys *KeyRing, token, rcpt string) bool {
	for _, key := range keys.keys {
		one := &KeyRing{keys: [][]byte{key}}
		if t := Canonical(token); t == one.directToken(rcpt) || t == one.refToken(rcpt) {
			return true
		}
	}
	return false
}
