package suppression

import (
	"context"
	"io"
	"time"
)

// The store's exported methods, grouped by the surface that needs them.
// Each consumer holds the store through an interface of its own, made of
// these groups or of the few methods it needs, so a reader sees who may
// call what:
//
//	surface          interface                         methods
//	ingest           poller.Store, poller.Locker       Record, SeenUIDs, MarkSeen, ForgetUnlisted, TryLock
//	                 verp.RefLookup                    LookupRef
//	                 cmd/bouncer (each pass)           RecordPoll, PutVERPRef
//	queries          Queries                           the HTTP API, the dashboard, the CLI
//	administration   Admin                             the HTTP API, the dashboard, the CLI
//	volume           Volume                            the HTTP API, the dashboard, the CLI (sent counts in, rates out)
//	reports          notify.Store (Figures, Ledger)    the daily report and alerts (OutboxHealth: its webhook lines)
//	                 Overview                          the dashboard's overview page
//	                 storemetrics.Source               the metrics refresh (ActiveCounts, ReceiverBounces)
//	                 storemetrics.RatesSource          the rate gauges (Rates)
//	                 cmd/bouncer                       MailboxStatuses (the metrics refresh)
//	housekeeping     Housekeeping                      the retention command and job
//	webhooks         webhook.Outbox                    the dispatcher of run (ClaimDeliveries, FinishDeliveries, ReleaseClaim)
//	                 Webhooks                          run (SweepExpired, Announce of alerts, OutboxStats for the
//	                                                   gauges), the webhooks commands (Deliveries, Redeliver, Announce)
//
// Record, Add, Remove and Import write the outbox (one webhook_outbox row
// each) in their own transactions, for the endpoints of Options.Webhooks.
//
// The HTTP API (NewHandler) holds the store as Queries and Admin (and Ping);
// the dashboard as dashboard.Store (Queries, Admin, Overview). Open, Close,
// Ping, Dialect and Policy belong to the store itself; cmd/bouncer, which
// opens it, holds the *Store and wires each consumer.

// Queries read the suppression list, the allowlist and the audit log, and
// change nothing.
type Queries interface {
	// Get returns an address's entry and the evidence behind it.
	Get(ctx context.Context, email string) (Detail, error)
	// List returns one page of entries matching f.
	List(ctx context.Context, f Filter, now time.Time) (Page, error)
	// Check says, for each address, whether it may be mailed.
	Check(ctx context.Context, emails []string, now time.Time) ([]CheckResult, error)
	// Export writes the entries matching f in a list format.
	Export(ctx context.Context, w io.Writer, formatName string, f Filter, now time.Time) (int, error)
	// AllowList returns the allowlist.
	AllowList(ctx context.Context) ([]AllowEntry, error)
	// Audit returns audit log entries matching f and how many match.
	Audit(ctx context.Context, f AuditFilter) ([]AuditEntry, int64, error)
	// MessageStatus tells what came back about one sent message.
	MessageStatus(ctx context.Context, id string) (MessageFate, error)
	// Policy returns the policy Record applies.
	Policy() Policy
}

// Admin changes the suppression list and the allowlist by hand. Each
// change writes the audit log, naming the Actor of ctx (WithActor).
type Admin interface {
	Add(ctx context.Context, email string, m Manual, now time.Time) (Entry, error)
	Remove(ctx context.Context, email string, now time.Time) (Entry, error)
	AllowAdd(ctx context.Context, entry, note string, now time.Time) (string, error)
	AllowRemove(ctx context.Context, entry string, now time.Time) error
	Import(ctx context.Context, r io.Reader, opts ImportOptions, now time.Time) (ImportResult, error)
	RecomputeProgress(ctx context.Context, p Policy, now time.Time, dryRun bool, progress func(done, total int)) ([]Change, error)
}

// Volume takes in the messages each stream sent and reads the bounce and
// complaint rates they make (sent.go, rates.go).
type Volume interface {
	// AddSent adds counts of messages sent, once per client id.
	AddSent(ctx context.Context, items []Sent, now time.Time) ([]bool, error)
	// Rates computes rates per stream and day.
	Rates(ctx context.Context, q RatesQuery) (Rates, error)
}

// Overview is what the dashboard's overview page reads: figures per day,
// the mailboxes' health and the alerts sent.
type Overview interface {
	DailyClasses(ctx context.Context, w Window) ([]DayCount, error)
	DailySuppressed(ctx context.Context, w Window) ([]DayCount, error)
	TopDaily(ctx context.Context, w Window, by Dimension, limit int) ([]Count, error)
	MailboxHealth(ctx context.Context) ([]MailboxHealth, error)
	RecentAlerts(ctx context.Context, since time.Time, limit int) ([]SentAlert, error)
	HeldMessages(ctx context.Context, w Window, outcome string, limit int) ([]UnparsedMessage, error)
}

// Housekeeping prunes what retention allows and says how far back the
// data goes.
type Housekeeping interface {
	Horizon(ctx context.Context, table string) (*time.Time, error)
	Prune(ctx context.Context, r Retention, now time.Time, dryRun bool) (PruneResult, error)
}

// Webhooks operate the outbox beyond the dispatcher's claims: announcing
// what no suppression change carries (expiries, alerts, pings), and
// listing, counting and redelivering deliveries.
type Webhooks interface {
	// Wants reports whether some endpoint takes events of a type.
	Wants(typ string) bool
	// Announce queues one event for the endpoints subscribed to its type.
	Announce(ctx context.Context, typ, subject, endpoint string, data any, now time.Time) (string, error)
	// SweepExpired announces the suppressions that expired since the last sweep.
	SweepExpired(ctx context.Context, now time.Time) (int, error)
	// Deliveries lists deliveries, newest first.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
	// Redeliver puts a delivery (dead or pending) back in the queue, due
	// now; without force, not one that later events about its address
	// were sent after (ErrSuperseded), nor one with later deliveries about
	// it dead (LaterDeadError).
	Redeliver(ctx context.Context, id int64, now time.Time, force bool) (Delivery, error)
	// OutboxStats counts each endpoint's pending and dead deliveries.
	OutboxStats(ctx context.Context) ([]OutboxStat, error)
}

var (
	_ Queries      = (*Store)(nil)
	_ Webhooks     = (*Store)(nil)
	_ Admin        = (*Store)(nil)
	_ Volume       = (*Store)(nil)
	_ Overview     = (*Store)(nil)
	_ Housekeeping = (*Store)(nil)
)

// apiStore is what the HTTP API's handlers may call.
type apiStore interface {
	Queries
	Admin
	Volume
	Ping(ctx context.Context) error
}
