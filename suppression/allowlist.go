package suppression

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// AllowEntry is an allowlist row: an address or a whole domain that is
// never suppressed.
type AllowEntry struct {
	Entry     string    `json:"entry"`
	CreatedAt time.Time `json:"created_at"`
	Note      string    `json:"note"`
}

// normalizeAllow returns the canonical form of an allowlist entry: an
// address when it holds an @, else a domain.
func (s *Store) normalizeAllow(entry string) (string, error) {
	if strings.Contains(entry, "@") {
		return Normalize(entry, s.opts.CaseSensitive)
	}
	return NormalizeDomain(entry)
}

const allowAddSQL = `INSERT INTO allowlist (entry, created_at, note) VALUES (?, ?, ?)
ON CONFLICT (entry) DO UPDATE SET note = excluded.note`

// AllowAdd puts an address or a domain on the allowlist (adding it again
// replaces its note) and returns its canonical form. Matching entries stop
// being suppressed at once (active_suppressions, Check and List leave them
// out); Recompute clears their automatic suppressions for good.
func (s *Store) AllowAdd(ctx context.Context, entry, note string, now time.Time) (string, error) {
	e, err := s.normalizeAllow(entry)
	if err != nil {
		return "", err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(allowAddSQL), e, s.tv(now), note); err != nil {
			return err
		}
		return s.writeAudit(ctx, tx, now, ActionAllow, e, "added to the allowlist", note)
	})
	if err != nil {
		return "", fmt.Errorf("suppression: allow %s: %w", e, err)
	}
	return e, nil
}

// AllowRemove takes an address or domain off the allowlist at now; one
// that is not there is an error wrapping ErrNotFound.
func (s *Store) AllowRemove(ctx context.Context, entry string, now time.Time) error {
	e, err := s.normalizeAllow(entry)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM allowlist WHERE entry = ?`), e)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return inputErrorf(ErrNotFound, "%s is not on the allowlist", e)
		}
		return s.writeAudit(ctx, tx, now, ActionUnallow, e, "taken off the allowlist", "")
	})
	if err != nil {
		return fmt.Errorf("suppression: disallow %s: %w", e, err)
	}
	return nil
}

// AllowList returns the allowlist in order.
func (s *Store) AllowList(ctx context.Context) ([]AllowEntry, error) {
	out, err := scanAll(ctx, s.rdb, func(a *AllowEntry) []any { return []any{&a.Entry, timeInto{&a.CreatedAt}, &a.Note} },
		`SELECT entry, created_at, note FROM allowlist ORDER BY entry`)
	if err != nil {
		return nil, fmt.Errorf("suppression: allowlist: %w", err)
	}
	return out, nil
}
