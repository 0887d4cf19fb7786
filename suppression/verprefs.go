package suppression

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

const putVERPRefSQL = `INSERT INTO verp_refs (ref, recipient, created_at) VALUES (?, ?, ?)
ON CONFLICT (ref) DO NOTHING`

// PutVERPRef stores the recipient of a signed return-path reference (see
// internal/verp). It is idempotent: a reference already stored keeps its
// first recipient.
func (s *Store) PutVERPRef(ctx context.Context, ref, recipient string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, s.q(putVERPRefSQL), ref, recipient, s.tv(now)); err != nil {
		return fmt.Errorf("suppression: store verp reference: %w", err)
	}
	return nil
}

const lookupVERPRefSQL = `SELECT recipient FROM verp_refs WHERE ref = ?`

// LookupRef returns the recipient stored for a signed return-path reference,
// or "" with a nil error when none is stored (it implements verp.RefLookup).
func (s *Store) LookupRef(ctx context.Context, ref string) (string, error) {
	var rcpt string
	err := s.rdb.GetContext(ctx, &rcpt, s.q(lookupVERPRefSQL), ref)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("suppression: look up verp reference: %w", err)
	}
	return rcpt, nil
}
