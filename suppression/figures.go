package suppression

import (
	"cmp"
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/dsn"
)

// This file holds the read-only queries behind the daily report (package
// notify). They never write; each takes the window it reports on, so the
// caller decides the day and the time zone.

// Window is the half-open time range [From, To).
type Window struct {
	From, To time.Time
}

// Totals are the headline counts of a window.
type Totals struct {
	Messages        int               // ledgered messages received in the window, unparsed included
	Unparsed        int               // of which could not be parsed (quarantined)
	NotReports      int               // of which were not a bounce or complaint (not_report)
	NoRecipient     int               // of which were reports naming no usable recipient (no_recipient)
	ByClass         map[dsn.Class]int // recipient events by class
	NewlySuppressed int               // addresses whose suppression started in the window
}

// Dimension is a column the report ranks failures by.
type Dimension string

// Dimensions for Store.Top.
const (
	ByReason    Dimension = "reason"
	ByDomain    Dimension = "domain"
	ByRemoteMTA Dimension = "remote_mta"
)

// Count is one row of a ranking.
type Count struct {
	Key string
	N   int
}

// NewSuppression is an address suppressed in the window, with its evidence.
type NewSuppression struct {
	Email        string
	Domain       string
	SuppressedAt time.Time
	Reason       string // suppressed_reason
	Class        string // last_class
	LastReason   string // last_reason: Status and Diagnostic are of an event with this reason
	Status       string // last_status
	Diagnostic   string // last_diagnostic, as the remote server wrote it
	Source       string // bounce, complaint, manual, import
}

// BlockDiagnostic groups block events by receiver, MTA and diagnostic text.
type BlockDiagnostic struct {
	Domain     string // recipient domain
	RemoteMTA  string
	Diagnostic string
	N          int
}

// ReceiverBounces counts one recipient domain's failure events and how many
// of them were blocks.
type ReceiverBounces struct {
	Domain  string
	Bounces int // hard, soft and block events
	Blocks  int
}

// Complaints counts complaint events by the feedback provider that sent them
// (its reporting MTA) and feedback type.
type Complaints struct {
	Provider     string
	FeedbackType string
	N            int
}

// UnparsedMessage is a message of the window that nothing was recorded for
// and that is left for a person (see Held): quarantined, not a report, or
// naming no usable recipient.
type UnparsedMessage struct {
	Outcome    string // OutcomeQuarantined, OutcomeNotReport or OutcomeNoRecipient
	Mailbox    string
	ReceivedAt time.Time
	Subject    string
	From       string
	Error      string // why: the parse error, or the records' problems ("record 1: no recipient")
}

// MailboxHealth is a mailbox's polling state, read from mailbox_status and
// the ledger.
type MailboxHealth struct {
	Mailbox             string
	LastSuccess         time.Time // zero when it never succeeded
	LastError           string
	ConsecutiveFailures int
	Waiting             int       // messages left in the mailbox after the last poll
	LastReceived        time.Time // newest ledgered message; zero when none
}

const totalsMessagesSQL = `SELECT COUNT(*), COALESCE(SUM(CASE WHEN outcome = 'quarantined' THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN outcome = 'not_report' THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN outcome = 'no_recipient' THEN 1 ELSE 0 END), 0)
FROM processed_messages WHERE received_at >= ? AND received_at < ?`

const totalsClassesSQL = `SELECT class, COUNT(*) FROM bounce_events
WHERE received_at >= ? AND received_at < ? GROUP BY class`

const totalsSuppressedSQL = `SELECT COUNT(*) FROM suppressions
WHERE suppressed AND suppressed_at >= ? AND suppressed_at < ?`

// Totals counts the window's ledgered messages (by the time they reached
// the mailbox), its recipient events by class, and the addresses whose
// current suppression started in it.
func (s *Store) Totals(ctx context.Context, w Window) (Totals, error) {
	t := Totals{ByClass: map[dsn.Class]int{}}
	if err := s.rdb.QueryRowxContext(ctx, s.q(totalsMessagesSQL), s.window(w)...).Scan(&t.Messages, &t.Unparsed, &t.NotReports, &t.NoRecipient); err != nil {
		return t, fmt.Errorf("suppression: totals: %w", err)
	}
	classes, err := queryRows(ctx, s, totalsClassesSQL, s.window(w), scanCount)
	if err != nil {
		return t, fmt.Errorf("suppression: totals: %w", err)
	}
	for _, c := range classes {
		t.ByClass[dsn.Class(c.Key)] = c.N
	}
	if err := s.rdb.QueryRowxContext(ctx, s.q(totalsSuppressedSQL), s.window(w)...).Scan(&t.NewlySuppressed); err != nil {
		return t, fmt.Errorf("suppression: totals: %w", err)
	}
	return t, nil
}

// queryRows runs a read query and collects one T per row with scan.
func queryRows[T any](ctx context.Context, s *Store, query string, args []any, scan func(*sqlx.Rows) (T, error)) ([]T, error) {
	rows, err := s.rdb.QueryxContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// window is the two arguments of a window condition.
func (s *Store) window(w Window) []any { return []any{s.tv(w.From), s.tv(w.To)} }

// limitClause is " LIMIT n" for n > 0, else nothing (all rows).
func limitClause(n int) string {
	if n <= 0 {
		return ""
	}
	return " LIMIT " + strconv.Itoa(n)
}

const newSuppressionsSQL = `SELECT email, domain, suppressed_at, suppressed_reason, last_class, last_reason, last_status, last_diagnostic, source
FROM suppressions WHERE suppressed AND suppressed_at >= ? AND suppressed_at < ?
ORDER BY suppressed_at, email`

// NewSuppressions lists the addresses whose current suppression started in
// the window, oldest first; limit <= 0 means all of them.
func (s *Store) NewSuppressions(ctx context.Context, w Window, limit int) ([]NewSuppression, error) {
	out, err := queryRows(ctx, s, newSuppressionsSQL+limitClause(limit), s.window(w), func(rows *sqlx.Rows) (NewSuppression, error) {
		var n NewSuppression
		var at dbTime
		err := rows.Scan(&n.Email, &n.Domain, &at, &n.Reason, &n.Class, &n.LastReason, &n.Status, &n.Diagnostic, &n.Source)
		n.SuppressedAt = at.Time
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: new suppressions: %w", err)
	}
	return out, nil
}

// topColumns maps a Dimension to its bounce_events column; only these
// names ever reach the SQL text.
var topColumns = map[Dimension]string{ByReason: "reason", ByDomain: "domain", ByRemoteMTA: "remote_mta"}

// Top ranks the window's failure events (hard, soft, block) by a column,
// most frequent first, ties by value; empty values are left out.
func (s *Store) Top(ctx context.Context, w Window, by Dimension, limit int) ([]Count, error) {
	col, ok := topColumns[by]
	if !ok {
		return nil, fmt.Errorf("suppression: top: unknown dimension %q", by)
	}
	query := `SELECT ` + col + `, COUNT(*) AS n FROM bounce_events
WHERE received_at >= ? AND received_at < ? AND class IN ('hard', 'soft', 'block') AND ` + col + ` <> ''
GROUP BY ` + col + ` ORDER BY n DESC, ` + col + limitClause(limit)
	out, err := queryRows(ctx, s, query, s.window(w), scanCount)
	if err != nil {
		return nil, fmt.Errorf("suppression: top %s: %w", by, err)
	}
	return out, nil
}

// scanCount reads a (key, count) row.
func scanCount(rows *sqlx.Rows) (Count, error) {
	var c Count
	err := rows.Scan(&c.Key, &c.N)
	return c, err
}

const blockDiagnosticsSQL = `SELECT domain, remote_mta, diagnostic, COUNT(*) AS n FROM bounce_events
WHERE received_at >= ? AND received_at < ? AND class = 'block'
GROUP BY domain, remote_mta, diagnostic ORDER BY n DESC, domain, remote_mta, diagnostic`

// BlockDiagnostics groups the window's block events by recipient domain,
// remote MTA and diagnostic, largest groups first; limit <= 0 means all.
func (s *Store) BlockDiagnostics(ctx context.Context, w Window, limit int) ([]BlockDiagnostic, error) {
	out, err := queryRows(ctx, s, blockDiagnosticsSQL+limitClause(limit), s.window(w), func(rows *sqlx.Rows) (BlockDiagnostic, error) {
		var b BlockDiagnostic
		err := rows.Scan(&b.Domain, &b.RemoteMTA, &b.Diagnostic, &b.N)
		return b, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: block diagnostics: %w", err)
	}
	return out, nil
}

const receiverBouncesSQL = `SELECT domain, COUNT(*), COALESCE(SUM(CASE WHEN class = 'block' THEN 1 ELSE 0 END), 0)
FROM bounce_events WHERE received_at >= ? AND received_at < ? AND class IN ('hard', 'soft', 'block')
GROUP BY domain ORDER BY domain`

// ReceiverBounces counts each recipient domain's failure events in the
// window and how many were blocks, by domain.
func (s *Store) ReceiverBounces(ctx context.Context, w Window) ([]ReceiverBounces, error) {
	out, err := queryRows(ctx, s, receiverBouncesSQL, s.window(w), func(rows *sqlx.Rows) (ReceiverBounces, error) {
		var r ReceiverBounces
		err := rows.Scan(&r.Domain, &r.Bounces, &r.Blocks)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: receiver bounces: %w", err)
	}
	return out, nil
}

// complaintsSQL joins each complaint to its ledger row, which Record wrote
// with the same received_at: the window on the ledger too lets Postgres
// look in the window's monthly partitions only, not in every month's.
const complaintsSQL = `SELECT e.reporting_mta, p.from_addr, e.feedback_type, COUNT(*) FROM bounce_events e
JOIN processed_messages p ON p.message_key = e.message_key AND p.received_at = e.received_at
WHERE e.received_at >= ? AND e.received_at < ? AND e.class = 'complaint'
  AND p.received_at >= ? AND p.received_at < ?
GROUP BY e.reporting_mta, p.from_addr, e.feedback_type`

// Complaints counts the window's complaint events by feedback provider and
// feedback type, most first; limit <= 0 means all. The provider is the
// report's Reporting-MTA, else the domain of the report's From.
func (s *Store) Complaints(ctx context.Context, w Window, limit int) ([]Complaints, error) {
	rows, err := queryRows(ctx, s, complaintsSQL, append(s.window(w), s.window(w)...), func(rows *sqlx.Rows) (Complaints, error) {
		var mta, from string
		var c Complaints
		err := rows.Scan(&mta, &from, &c.FeedbackType, &c.N)
		c.Provider = providerOf(mta, from)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: complaints: %w", err)
	}
	tally := map[Complaints]int{}
	for _, c := range rows {
		n := c.N
		c.N = 0
		tally[c] += n
	}
	out := make([]Complaints, 0, len(tally))
	for c, n := range tally {
		c.N = n
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Complaints) int {
		return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Provider, b.Provider), cmp.Compare(a.FeedbackType, b.FeedbackType))
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// providerOf names a feedback provider: the reporting MTA, else the domain
// of the report's From, else "(unknown)".
func providerOf(reportingMTA, from string) string {
	if reportingMTA != "" {
		return strings.ToLower(reportingMTA)
	}
	if a, err := mail.ParseAddress(from); err == nil {
		from = a.Address
	}
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		return strings.ToLower(strings.TrimSuffix(d, ">"))
	}
	return "(unknown)"
}

const heldSQL = `SELECT outcome, mailbox, received_at, subject, from_addr, error FROM processed_messages
WHERE received_at >= ? AND received_at < ? AND outcome = ?
ORDER BY received_at DESC, message_key`

const allHeldSQL = `SELECT outcome, mailbox, received_at, subject, from_addr, error FROM processed_messages
WHERE received_at >= ? AND received_at < ? AND outcome IN ('quarantined', 'not_report', 'no_recipient')
ORDER BY received_at DESC, message_key`

// UnparsedMessages lists the window's quarantined messages, newest first;
// limit <= 0 means all.
func (s *Store) UnparsedMessages(ctx context.Context, w Window, limit int) ([]UnparsedMessage, error) {
	return s.HeldMessages(ctx, w, OutcomeQuarantined, limit)
}

// HeldMessages lists the window's messages of one held outcome (see Held),
// or of all three when outcome is empty, newest first; limit <= 0 means
// all. Any other outcome is an error.
func (s *Store) HeldMessages(ctx context.Context, w Window, outcome string, limit int) ([]UnparsedMessage, error) {
	query, args := allHeldSQL, s.window(w)
	switch {
	case outcome == "":
	case Held(outcome):
		query, args = heldSQL, append(args, outcome)
	default:
		return nil, fmt.Errorf("suppression: held messages: unknown outcome %q (want quarantined, not_report or no_recipient)", outcome)
	}
	out, err := queryRows(ctx, s, query+limitClause(limit), args, func(rows *sqlx.Rows) (UnparsedMessage, error) {
		var u UnparsedMessage
		var at dbTime
		err := rows.Scan(&u.Outcome, &u.Mailbox, &at, &u.Subject, &u.From, &u.Error)
		u.ReceivedAt = at.Time
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: held messages: %w", err)
	}
	return out, nil
}

const unattributedSQL = `SELECT from_addr, COUNT(*) FROM processed_messages
WHERE received_at >= ? AND received_at < ? AND outcome IN ('redacted_complaint', 'no_recipient') AND type = 'arf'
GROUP BY from_addr`

// UnattributedComplaints counts the window's complaint reports (ARF) that
// named no usable recipient (redacted_complaint; no_recipient for those
// ledgered before it), so nothing was recorded for them, by feedback
// provider: the domain of the report's From (the ledger keeps no reporting
// MTA for them). Most busy first, then by name.
func (s *Store) UnattributedComplaints(ctx context.Context, w Window) ([]Count, error) {
	rows, err := queryRows(ctx, s, unattributedSQL, s.window(w), scanCount)
	if err != nil {
		return nil, fmt.Errorf("suppression: complaints without a recipient: %w", err)
	}
	by := map[string]int{}
	for _, r := range rows {
		by[providerOf("", r.Key)] += r.N
	}
	out := make([]Count, 0, len(by))
	for k, n := range by {
		out = append(out, Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Key, b.Key)) })
	return out, nil
}

// mailboxHealthSQL reads each polled mailbox's state; the newest ledgered
// message comes from mailbox_received, which Record keeps.
const mailboxHealthSQL = `SELECT m.mailbox, m.last_success_at, m.last_error, m.consecutive_failures, m.waiting,
  r.last_received_at
FROM mailbox_status m LEFT JOIN mailbox_received r ON r.mailbox = m.mailbox ORDER BY m.mailbox`

// MailboxHealth returns the state of every mailbox that was ever polled, by
// name.
func (s *Store) MailboxHealth(ctx context.Context) ([]MailboxHealth, error) {
	out, err := queryRows(ctx, s, mailboxHealthSQL, nil, func(rows *sqlx.Rows) (MailboxHealth, error) {
		var h MailboxHealth
		var ok, last dbTime
		err := rows.Scan(&h.Mailbox, &ok, &h.LastError, &h.ConsecutiveFailures, &h.Waiting, &last)
		h.LastSuccess, h.LastReceived = ok.Time, last.Time
		return h, err
	})
	if err != nil {
		return nil, fmt.Errorf("suppression: mailbox health: %w", err)
	}
	return out, nil
}
