package suppression

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// FuzzImport feeds arbitrary CSV to Import on SQLite. It must never panic;
// a rejected file imports nothing; every bad line names a line number; and
// what it reports imported is suppressed.
func FuzzImport(f *testing.F) {
	for _, seed := range []string{
		"email,reason,status,created\nbounced@example.com,550 no such user,5.1.1,1700000000\n",
		"EmailAddress,Reason,LastUpdateTime\nses@example.com,BOUNCE,2024-01-02T03:04:05Z\n",
		"address,code,error,created_at\nmg@example.com,550,No such user,\"Tue, 02 Jan 2024 03:04:05 UTC\"\n",
		"EmailAddress,SuppressionReason,Origin,CreatedAt\npm@example.com,HardBounce,Recipient,2024-01-02\n",
		"email,domain,suppressed_reason,source,note\n<Mixed@Example.COM>,example.com,manual,manual,\"a, note\"\n",
		"email\nnot an address\n\"unterminated\n",
		"email\n\"\x00\"@example.com\n\"a\x1b\"@example.com\n",
		"email,created\nx@example.com,99999999999999\n",
		"\xef\xbb\xbfemail\nbom@example.com\n",
		"",
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	s := openTest(f, "sqlite", Options{})
	f.Fuzz(func(t *testing.T, data []byte, skipInvalid bool) {
		ctx := context.Background()
		before := countSuppressed(t, s)
		res, err := s.Import(ctx, bytes.NewReader(data), ImportOptions{SkipInvalid: skipInvalid}, t0)
		for _, le := range res.Invalid {
			if le.Line < 1 || le.Err == nil {
				t.Fatalf("Import(%q): bad line report %+v", data, le)
			}
		}
		if err != nil {
			if n := countSuppressed(t, s); n != before {
				t.Fatalf("Import(%q) failed (%v) but changed the list from %d to %d suppressed", data, err, before, n)
			}
			if !skipInvalid && len(res.Invalid) > 0 && !errors.Is(err, ErrInvalidImport) {
				t.Fatalf("Import(%q) with bad lines: error %v does not wrap ErrInvalidImport", data, err)
			}
			return
		}
		if n := countSuppressed(t, s); n > before+res.Imported {
			t.Fatalf("Import(%q) reports %d imported but the list grew from %d to %d", data, res.Imported, before, n)
		}
	})
}

func countSuppressed(t testing.TB, s *Store) int {
	t.Helper()
	var n int
	if err := s.rdb.GetContext(context.Background(), &n, `SELECT count(*) FROM suppressions WHERE suppressed`); err != nil {
		t.Fatal(err)
	}
	return n
}
