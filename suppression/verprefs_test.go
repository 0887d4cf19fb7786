package suppression

import (
	"context"
	"testing"
	"time"
)

func TestVERPRefs(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		if got, err := s.LookupRef(ctx, "aaaaaaaaaaaaaaaa"); err != nil || got != "" {
			t.Fatalf("LookupRef(unknown) = %q, %v; want \"\", nil", got, err)
		}
		const ref, rcpt = "hlso7ybe5q63twod", "a.very.long.recipient.name+newsletter@subdomain.example.co.uk"
		for range 2 { // idempotent
			if err := s.PutVERPRef(ctx, ref, rcpt, now); err != nil {
				t.Fatalf("PutVERPRef: %v", err)
			}
		}
		if err := s.PutVERPRef(ctx, ref, "other@example.com", now); err != nil {
			t.Fatalf("PutVERPRef(second recipient): %v", err)
		}
		if got, err := s.LookupRef(ctx, ref); err != nil || got != rcpt {
			t.Errorf("LookupRef(%q) = %q, %v; want %q (the first stored)", ref, got, err, rcpt)
		}
	})
}
