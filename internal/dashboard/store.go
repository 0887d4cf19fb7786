package dashboard

import (
	"context"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Store is what the dashboard reads and changes: the list's queries, the
// changes by hand (each audited), the overview's figures and the rates.
// *suppression.Store implements it; the dashboard runs no SQL of its own.
type Store interface {
	suppression.Queries
	suppression.Admin
	suppression.Overview
	suppression.Volume
	// Horizon is the time before which table's rows may have been pruned
	// (nil: none were).
	Horizon(ctx context.Context, table string) (*time.Time, error)
}
