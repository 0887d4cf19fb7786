package dashboard

import "github.com/bouncer-mail/bouncer/suppression"

// Store is what the dashboard reads and changes: the list's queries, the
// changes by hand (each audited), the overview's figures and the rates.
// *suppression.Store implements it; the dashboard runs no SQL of its own.
type Store interface {
	suppression.Queries
	suppression.Admin
	suppression.Overview
	suppression.Volume
}
