package notify

import (
	"context"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// Figures are the read-only queries the report is built from; the
// *suppression.Store implements them against Postgres and SQLite.
type Figures interface {
	Totals(ctx context.Context, w suppression.Window) (suppression.Totals, error)
	NewSuppressions(ctx context.Context, w suppression.Window, limit int) ([]suppression.NewSuppression, error)
	Top(ctx context.Context, w suppression.Window, by suppression.Dimension, limit int) ([]suppression.Count, error)
	BlockDiagnostics(ctx context.Context, w suppression.Window, limit int) ([]suppression.BlockDiagnostic, error)
	ReceiverBounces(ctx context.Context, w suppression.Window) ([]suppression.ReceiverBounces, error)
	Complaints(ctx context.Context, w suppression.Window, limit int) ([]suppression.Complaints, error)
	HeldMessages(ctx context.Context, w suppression.Window, outcome string, limit int) ([]suppression.UnparsedMessage, error)
	UnattributedComplaints(ctx context.Context, w suppression.Window) ([]suppression.Count, error)
	MailboxHealth(ctx context.Context) ([]suppression.MailboxHealth, error)
	OutboxHealth(ctx context.Context, w suppression.Window) ([]suppression.OutboxStat, error)
	Rates(ctx context.Context, q suppression.RatesQuery) (suppression.Rates, error)
	StreamTop(ctx context.Context, w suppression.Window, stream string, classes []string, by suppression.Dimension, limit int) ([]suppression.Count, error)
}

// Ledger records what was sent, so a report goes out once per day and an
// alert at most once per interval, across replicas and restarts.
type Ledger interface {
	// ClaimReportRun marks day's report as being sent by the caller. It
	// returns false when the day is already sent, or is being sent by
	// another process that started less than staleAfter before now.
	ClaimReportRun(ctx context.Context, day string, now time.Time, staleAfter time.Duration) (bool, error)
	// FinishReportRun records the outcome of a claimed run.
	FinishReportRun(ctx context.Context, run suppression.ReportRun) error
	// LastReportRun returns the run of the latest day, whatever its status;
	// ok is false when no report was ever attempted.
	LastReportRun(ctx context.Context) (run suppression.ReportRun, ok bool, err error)
	// ReportRun returns day's run; ok is false when none was attempted.
	ReportRun(ctx context.Context, day string) (run suppression.ReportRun, ok bool, err error)
	// ClaimAlert returns true, and records now, when the alert key was not
	// sent during the every before now.
	ClaimAlert(ctx context.Context, key string, now time.Time, every time.Duration) (bool, error)
	// ReleaseAlert undoes a claim whose alert could not be sent.
	ReleaseAlert(ctx context.Context, key string, now time.Time) error
}

// Store is everything notify needs from the database.
type Store interface {
	Figures
	Ledger
	// TryLock takes the named advisory lock without waiting. ok is false
	// when another session holds it; release frees it.
	TryLock(ctx context.Context, name string) (release func(), ok bool, err error)
}
