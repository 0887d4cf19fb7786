package migrations

import (
	"context"
	"database/sql"
	"fmt"
)

// Initialized reports whether db holds a bouncer schema: goose's version
// table exists and records an applied migration. Unlike Up, List and Check
// it creates nothing, so a read-only caller can refuse an empty database
// instead of turning it into an empty store.
func Initialized(ctx context.Context, db *sql.DB, d Dialect) (bool, error) {
	q := `SELECT to_regclass('goose_db_version') IS NOT NULL`
	if d == SQLite {
		q = `SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version')`
	}
	var exists bool
	if err := db.QueryRowContext(ctx, q).Scan(&exists); err != nil {
		return false, fmt.Errorf("migrations: %s: look for the schema: %w", d, err)
	}
	if !exists {
		return false, nil
	}
	const applied = `SELECT EXISTS (SELECT 1 FROM goose_db_version WHERE version_id > 0 AND is_applied)`
	if err := db.QueryRowContext(ctx, applied).Scan(&exists); err != nil {
		return false, fmt.Errorf("migrations: %s: read the schema version: %w", d, err)
	}
	return exists, nil
}
