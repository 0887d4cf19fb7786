package suppression

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/dsn"
)

// ErrBadMessageID is returned, wrapped, for an empty Message-ID, one with
// angle brackets inside, or one holding a control character.
var ErrBadMessageID = errors.New("invalid message id")

// Fate states of a sent message, most decisive first.
const (
	FateComplained = "complained" // a recipient reported it as spam
	FateFailed     = "failed"     // a final failure report (hard, soft or block) came back
	FateDelayed    = "delayed"    // a delay notice came, nothing final yet
	// FateDelivered is a recipient's state only: a delivery report
	// (DSN action delivered, relayed or expanded) came and nothing worse.
	// A message whose recipients have no other state is FateNoReport.
	FateDelivered = "delivered"
	FateNoReport  = "no_report" // no failure, complaint or delay names it: not proof of delivery
)

// fateRank orders the states: a recipient's (and the message's) state is
// its most decisive one. A delivery report is final (above a delay) but
// does not outweigh a failure or a complaint about the same recipient.
var fateRank = map[string]int{FateNoReport: 0, FateDelayed: 1, FateDelivered: 2, FateFailed: 3, FateComplained: 4}

// MessageFate is what became of one sent message, by its Message-ID, as the
// reports that came back about it tell.
type MessageFate struct {
	MessageID string `json:"message_id"` // as asked, in angle brackets
	State     string `json:"state"`      // the most decisive state of its recipients; FateNoReport without any
	// FirstReportAt is when the first report of any kind naming the
	// message reached the mailbox (auto-replies and "delivered" notices
	// included); nil when none did.
	FirstReportAt *time.Time      `json:"first_report_at"`
	Recipients    []RecipientFate `json:"recipients"` // in address order; empty without reports
	// ReportsPrunedBefore is the time before which received reports may
	// have been pruned (retention.events): older ones cannot be told. Nil
	// when no event was ever pruned.
	ReportsPrunedBefore *time.Time `json:"reports_pruned_before"`
}

// RecipientFate is the state of one recipient of a message and the report
// that decided it (the newest one of its most decisive state).
type RecipientFate struct {
	Recipient  string     `json:"recipient"`
	State      string     `json:"state"`
	Class      dsn.Class  `json:"class"`
	Reason     dsn.Reason `json:"reason"`
	Status     string     `json:"status"`
	Diagnostic string     `json:"diagnostic"`
	At         time.Time  `json:"at"` // when that report reached the mailbox
}

// maxFateEvents caps the reports MessageStatus reads about one message.
const maxFateEvents = 10000

// fateSQL reads the reports about one message: one scan of the partial
// index on original_message_id (00060) for the id with and without its
// brackets (of each monthly partition on Postgres: an id says nothing of
// the month). The term excluding the empty id lets both databases use the partial index
// whatever the parameters.
const fateSQL = `SELECT recipient, class, reason, status, diagnostic, received_at, action
FROM bounce_events WHERE original_message_id IN (?, ?) AND original_message_id <> ''
ORDER BY received_at, id LIMIT ?`

// fatePGSQL is fateSQL on Postgres, prepared when the store opens
// (preparedQueries): with a partition per month, planning the look-up
// would cost more than running it.
var fatePGSQL = sqlx.Rebind(sqlx.DOLLAR, fateSQL)

// MessageStatus returns the fate of the message whose Message-ID is id
// (with or without its angle brackets). A message no report names is
// FateNoReport, not an error: bounces may still come, and many receivers
// send none.
func (s *Store) MessageStatus(ctx context.Context, id string) (MessageFate, error) {
	bare := strings.TrimSpace(id)
	if strings.HasPrefix(bare, "<") && strings.HasSuffix(bare, ">") {
		bare = strings.TrimSpace(bare[1 : len(bare)-1])
	}
	const want = "want the Message-ID the message was sent with, such as <id@example.com>"
	if i := strings.IndexFunc(bare, isControl); i >= 0 {
		return MessageFate{}, inputErrorf(ErrBadMessageID, "invalid message id %q: it holds a control character (%U); %s", id, []rune(bare[i:])[0], want)
	}
	if bare == "" || strings.ContainsAny(bare, "<>") {
		return MessageFate{}, inputErrorf(ErrBadMessageID, "invalid message id %q: %s", id, want)
	}
	f := MessageFate{MessageID: "<" + bare + ">", State: FateNoReport, Recipients: []RecipientFate{}}
	rows, err := s.queryPrepared(ctx, nil, s.q(fateSQL), f.MessageID, bare, maxFateEvents)
	if err != nil {
		return f, fmt.Errorf("suppression: message %s: %w", f.MessageID, err)
	}
	defer rows.Close()
	byRcpt := map[string]RecipientFate{}
	for rows.Next() {
		var r RecipientFate
		var action string
		if err := rows.Scan(&r.Recipient, &r.Class, &r.Reason, &r.Status, &r.Diagnostic, timeInto{&r.At}, &action); err != nil {
			return f, fmt.Errorf("suppression: message %s: %w", f.MessageID, err)
		}
		if f.FirstReportAt == nil {
			at := r.At
			f.FirstReportAt = &at
		}
		r.State = fateOf(r.Class, r.Reason, action)
		if prev, ok := byRcpt[r.Recipient]; !ok || fateRank[r.State] >= fateRank[prev.State] {
			byRcpt[r.Recipient] = r
		}
	}
	if err := rows.Err(); err != nil {
		return f, fmt.Errorf("suppression: message %s: %w", f.MessageID, err)
	}
	for _, rcpt := range sortedKeys(byRcpt) {
		r := byRcpt[rcpt]
		f.Recipients = append(f.Recipients, r)
		// A delivered recipient leaves the message no_report: another
		// may still fail, and a delayed one is still pending.
		if r.State != FateDelivered && fateRank[r.State] > fateRank[f.State] {
			f.State = r.State
		}
	}
	f.ReportsPrunedBefore, err = s.Horizon(ctx, "bounce_events")
	return f, err
}

// Delivered returns when the newest delivery report about one of the
// message's recipients came, or nil without one.
func (f MessageFate) Delivered() *time.Time {
	var last *time.Time
	for _, r := range f.Recipients {
		if r.State == FateDelivered && (last == nil || r.At.After(*last)) {
			at := r.At
			last = &at
		}
	}
	return last
}

// fateOf is the state one report gives its recipient: a complaint, a
// failure (a class that counts against the address), a delay notice, a
// delivery report, or nothing decisive (auto-replies, other ignore-class
// records).
func fateOf(class dsn.Class, reason dsn.Reason, action string) string {
	switch {
	case class == dsn.ClassComplaint:
		return FateComplained
	case class == dsn.ClassHard, class == dsn.ClassSoft, class == dsn.ClassBlock:
		return FateFailed
	case strings.EqualFold(action, "delayed"):
		return FateDelayed
	case reason == dsn.ReasonDelivered:
		return FateDelivered
	}
	return FateNoReport
}

// isControl reports an ASCII control character, which no Message-ID holds
// (RFC 5322 msg-id) and only a mangled one would.
func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
