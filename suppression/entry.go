package suppression

import (
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// Sources of a suppression entry.
const (
	SourceBounce    = "bounce"    // suppressed (or counted) by hard or soft bounces
	SourceComplaint = "complaint" // suppressed by complaints
	SourceManual    = "manual"    // added by hand: never changed by events
	SourceImport    = "import"    // imported from a file: never changed by events
)

// Entry is one address's row in the suppressions table. JSON names are the
// column names.
type Entry struct {
	Email            string     `json:"email"`
	Domain           string     `json:"domain"`
	HardCount        int        `json:"hard_count"`
	SoftCount        int        `json:"soft_count"`
	BlockCount       int        `json:"block_count"`
	ComplaintCount   int        `json:"complaint_count"`
	FirstSeen        time.Time  `json:"first_seen"`
	LastSeen         time.Time  `json:"last_seen"`
	LastClass        string     `json:"last_class"`
	LastReason       string     `json:"last_reason"`
	LastStatus       string     `json:"last_status"`
	LastDiagnostic   string     `json:"last_diagnostic"`
	Suppressed       bool       `json:"suppressed"`
	SuppressedAt     *time.Time `json:"suppressed_at"`
	SuppressedReason string     `json:"suppressed_reason"`
	ExpiresAt        *time.Time `json:"expires_at"`
	Source           string     `json:"source"`
	Note             string     `json:"note"`
	// ClearedAt is when the entry was last removed: events received up to
	// then no longer count.
	ClearedAt *time.Time `json:"cleared_at,omitempty"`
}

// Active reports whether the address must not be mailed at now: suppressed
// and not expired. (The allowlist is checked separately.)
func (e *Entry) Active(now time.Time) bool {
	return e.Suppressed && (e.ExpiresAt == nil || e.ExpiresAt.After(now))
}

// Manual reports whether the entry was put there by a person or an import,
// so that events never change its suppression.
func (e *Entry) Manual() bool {
	return e.Suppressed && (e.Source == SourceManual || e.Source == SourceImport)
}

// Event is one stored recipient record: the evidence behind an entry.
type Event struct {
	ID                int64      `json:"id"`
	ReceivedAt        time.Time  `json:"received_at"`
	Mailbox           string     `json:"mailbox"`
	MessageKey        string     `json:"message_key"`
	MessageID         string     `json:"message_id"`
	Recipient         string     `json:"recipient"`
	Domain            string     `json:"domain"`
	Class             dsn.Class  `json:"class"`
	Reason            dsn.Reason `json:"reason"`
	Status            string     `json:"status"`
	ReplyCode         string     `json:"reply_code"`
	Diagnostic        string     `json:"diagnostic"`
	RemoteMTA         string     `json:"remote_mta"`
	ReportingMTA      string     `json:"reporting_mta"`
	FeedbackType      string     `json:"feedback_type"`
	Verified          bool       `json:"verified"`
	OriginalMessageID string     `json:"original_message_id"`
	Stream            string     `json:"stream"` // the kind of mail it came back from; "default" when unattributed
	// Action is the record's action as the report gave it (failed,
	// delayed, delivered, relayed, expanded, autoreply, …); "" for events
	// recorded before bouncer stored it.
	Action string `json:"action"`
}

// entryCols lists the suppressions columns in Entry order.
const entryCols = `email, domain, hard_count, soft_count, block_count, complaint_count,
first_seen, last_seen, last_class, last_reason, last_status, last_diagnostic,
suppressed, suppressed_at, suppressed_reason, expires_at, source, note, cleared_at`

// dests returns scan destinations for entryCols.
func (e *Entry) dests() []any {
	return []any{&e.Email, &e.Domain, &e.HardCount, &e.SoftCount, &e.BlockCount, &e.ComplaintCount,
		timeInto{&e.FirstSeen}, timeInto{&e.LastSeen}, &e.LastClass, &e.LastReason, &e.LastStatus, &e.LastDiagnostic,
		&e.Suppressed, nullTimeInto{&e.SuppressedAt}, &e.SuppressedReason, nullTimeInto{&e.ExpiresAt}, &e.Source, &e.Note,
		nullTimeInto{&e.ClearedAt}}
}

// eventCols lists the bounce_events columns in Event order.
const eventCols = `id, received_at, mailbox, message_key, message_id, recipient, domain, class, reason,
status, reply_code, diagnostic, remote_mta, reporting_mta, feedback_type, verified, original_message_id, stream, action`

// dests returns scan destinations for eventCols.
func (e *Event) dests() []any {
	return []any{&e.ID, timeInto{&e.ReceivedAt}, &e.Mailbox, &e.MessageKey, &e.MessageID, &e.Recipient, &e.Domain,
		&e.Class, &e.Reason, &e.Status, &e.ReplyCode, &e.Diagnostic, &e.RemoteMTA, &e.ReportingMTA, &e.FeedbackType,
		&e.Verified, &e.OriginalMessageID, &e.Stream, &e.Action}
}
