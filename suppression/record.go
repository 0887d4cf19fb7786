package suppression

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/inbound"
)

// MaxRecordsPerMessage caps the recipient records one message may add: a
// real report lists the failed recipients of one SMTP transaction (at most
// 100 by RFC 5321's minimum), so one forged message cannot suppress
// thousands of addresses. The rest are noted in the ledger.
const MaxRecordsPerMessage = 1000

// ErrNoKey is returned by Record for a message without a Key.
var ErrNoKey = errors.New("suppression: message without a key")

// Ledger outcomes (processed_messages.outcome).
const (
	OutcomeRecorded    = "recorded"     // its records were written as events
	OutcomeQuarantined = "quarantined"  // could not be parsed: Report was nil
	OutcomeNotReport   = "not_report"   // parsed, but not a bounce or complaint
	OutcomeNoRecipient = "no_recipient" // a bounce, but no record named a usable recipient
	OutcomeRepeated    = "repeated"     // a copy of a notice already counted (see dropRepeatedNotices)
	// OutcomeRedactedComplaint is a complaint (ARF) report that named no
	// usable recipient: feedback loops redact the recipient in almost
	// every complaint, so without a signed return path (VERP) this is the
	// expected kind, not a fault. It is counted per provider and disposed
	// of like a recorded message: holding every one would keep them on a
	// POP3 server for good and fill its quota (a full mailbox rejects new
	// bounces), and no person can recover the recipient from it.
	OutcomeRedactedComplaint = "redacted_complaint"
)

// Held reports whether a ledger outcome leaves the message for a person:
// nothing was recorded for it (it could not be parsed, is not a bounce or
// complaint, or is a bounce naming no usable recipient), so the poller moves it to the
// failed folder (IMAP) or keeps it on the server (POP3), and the report
// and the dashboard list it.
func Held(outcome string) bool {
	return outcome == OutcomeQuarantined || outcome == OutcomeNotReport || outcome == OutcomeNoRecipient
}

// Record writes a batch of messages in one transaction: their recipient
// events, the counters and suppressions those change, and the ledger.
// It is idempotent by Message.Key: a key already in the ledger (or repeated
// in the batch) changes nothing and is counted in Result.Duplicates. A
// message without a report is ledgered as quarantined; a record without a
// usable recipient (and no Message.VerifiedRecipient) is noted on its
// ledger row. On error nothing is written. now is the processing time.
//
// An error that Transient reports is marked with inbound.MarkTransient, so a
// caller that links no database driver (the poller) can tell it apart.
func (s *Store) Record(ctx context.Context, msgs []Message, now time.Time) (Result, error) {
	res, err := s.recordMsgs(ctx, msgs, now)
	if Transient(err) {
		err = inbound.MarkTransient(err)
	}
	return res, err
}

func (s *Store) recordMsgs(ctx context.Context, msgs []Message, now time.Time) (Result, error) {
	res := Result{Messages: len(msgs), ByClass: map[dsn.Class]int{}}
	if len(msgs) == 0 {
		return res, nil
	}
	p := s.planRecord(msgs, now)
	if p.err != nil {
		return res, p.err
	}
	res.Duplicates = len(msgs) - len(p.ledger)
	for _, l := range p.ledger {
		if Held(l.outcome) {
			if res.HeldKeys == nil {
				res.HeldKeys = map[string]bool{}
			}
			res.HeldKeys[l.key] = true
		}
	}
	var stored recordResult
	began := time.Now() // a duration for the histogram, not a clock reading
	err := s.inTxRetry(ctx, func(tx *sqlx.Tx) error {
		var err error
		stored, err = s.record(ctx, tx, p, now)
		return err
	})
	if err != nil {
		s.observer().Recorded(RecordObservation{Messages: len(msgs), Took: time.Since(began)})
		return res, fmt.Errorf("suppression: record: %w", err)
	}
	res.Duplicates += len(p.ledger) - stored.fresh
	res.Unparsed, res.Events, res.NoRecipient = stored.unparsed, len(stored.events), stored.noRecipient
	res.NotReports, res.NoRecipientMsgs, res.RedactedComplaints = stored.notReports, stored.noRecipientMsgs, stored.redactedComplaints
	res.Repeated = stored.repeated
	for _, ev := range stored.events {
		res.ByClass[ev.Class]++
	}
	res.NewlySuppressed = stored.newly
	s.observer().Recorded(RecordObservation{Messages: len(msgs), Took: time.Since(began), Committed: true,
		Result: res, Events: stored.events, NewlyBySource: stored.newlyBySource})
	return res, nil
}

// recordResult is what one Record transaction wrote.
type recordResult struct {
	fresh, unparsed, noRecipient int
	notReports, noRecipientMsgs  int
	redactedComplaints           int
	repeated                     int
	events                       []Event
	newly                        []string
	newlyEntries                 []Entry        // the entries of newly
	newlyBySource                map[string]int // newly suppressed, by their entry's source
}

func (s *Store) record(ctx context.Context, tx *sqlx.Tx, p recordPlan, now time.Time) (recordResult, error) {
	var r recordResult
	fresh, err := s.insertLedger(ctx, tx, p.ledger, now)
	if err != nil {
		return r, err
	}
	r.fresh = len(fresh)
	n := 0
	for _, l := range p.ledger {
		n += len(l.events)
	}
	r.events = make([]Event, 0, n)
	for _, l := range p.ledger {
		if fresh[l.key] {
			r.events = append(r.events, l.events...)
			r.noRecipient += l.noRecipient
			switch l.outcome {
			case OutcomeQuarantined:
				r.unparsed++
			case OutcomeNotReport:
				r.notReports++
			case OutcomeNoRecipient:
				r.noRecipientMsgs++
			case OutcomeRedactedComplaint:
				r.redactedComplaints++
			case OutcomeRepeated:
				r.repeated++
			}
		}
	}
	roll := rollup{}
	roll.addEvents(r.events)
	if r.newlyEntries, r.newlyBySource, err = s.applyEvents(ctx, tx, r.events, now, roll); err != nil {
		return r, err
	}
	for _, e := range r.newlyEntries {
		r.newly = append(r.newly, e.Email)
	}
	if err := roll.write(ctx, s, tx); err != nil {
		return r, err
	}
	if err := s.writeRateCounts(ctx, tx, r.events); err != nil {
		return r, err
	}
	return r, s.announceRecord(ctx, tx, r, now)
}

// ledgerRow is one processed_messages row and the events of its message.
type ledgerRow struct {
	key, mailbox, typ, messageID, subject, from, outcome, err string
	legacyKey                                                 string // Message.LegacyKey
	receivedAt                                                time.Time
	events                                                    []Event // planned minus repeated notices (dropRepeatedNotices)
	planned                                                   []Event
	noRecipient                                               int
}

type recordPlan struct {
	ledger []ledgerRow
	err    error
}

// planRecord turns messages into ledger rows and events, dropping repeats
// of a key within the batch. It touches no database.
func (s *Store) planRecord(msgs []Message, now time.Time) recordPlan {
	p := recordPlan{ledger: make([]ledgerRow, 0, len(msgs))}
	seen := make(map[string]bool, len(msgs))
	for i, m := range msgs {
		if m.Key == "" {
			p.err = fmt.Errorf("%w (message %d of %s)", ErrNoKey, i, m.Mailbox)
			return p
		}
		if seen[m.Key] {
			continue
		}
		seen[m.Key] = true
		p.ledger = append(p.ledger, s.planMessage(m, now))
	}
	return p
}

func (s *Store) planMessage(m Message, now time.Time) ledgerRow {
	l := ledgerRow{key: m.Key, legacyKey: m.LegacyKey, mailbox: m.Mailbox, receivedAt: m.ReceivedAt, outcome: OutcomeRecorded}
	if l.receivedAt.IsZero() {
		l.receivedAt = now
	}
	if m.Report == nil {
		l.typ, l.outcome, l.err, l.subject, l.from = "unparsed", OutcomeQuarantined, clean(m.ParseError), clean(m.Subject), clean(m.From)
		return l
	}
	r := m.Report
	l.typ, l.messageID, l.subject, l.from = string(r.Type), clean(r.Message.MessageID), clean(r.Message.Subject), clean(r.Message.From)
	var problems []string
	recs := r.Recipients
	if len(recs) > MaxRecordsPerMessage {
		problems = append(problems, fmt.Sprintf("%d records past the first %d ignored", len(recs)-MaxRecordsPerMessage, MaxRecordsPerMessage))
		recs = recs[:MaxRecordsPerMessage]
	}
	if complaintForToken(m) && len(recs) > 1 {
		recs = recs[:1] // every record is the token's recipient's: one complaint, counted once
	}
	for i, rec := range recs {
		ev, problem := s.eventOf(m, rec, l.receivedAt)
		if problem != "" {
			problems = append(problems, fmt.Sprintf("record %d: %s", i+1, problem))
			l.noRecipient++
			continue
		}
		l.events = append(l.events, ev)
	}
	l.planned = l.events
	l.err = clean(strings.Join(problems, "; "))
	switch {
	case len(l.events) > 0:
	case len(problems) > 0 && r.Type == dsn.TypeARF:
		l.outcome = OutcomeRedactedComplaint
	case len(problems) > 0:
		l.outcome = OutcomeNoRecipient
	default:
		l.outcome = OutcomeNotReport
	}
	return l
}

// complaintForToken reports whether m is a complaint verified by its
// signed return path: it counts against the token's recipient, not the
// address the report names, which feedback loops redact or replace
// (verp.Verifier.Check).
func complaintForToken(m Message) bool {
	return m.Report.Type == dsn.TypeARF && m.Verified && m.VerifiedRecipient != ""
}

// eventOf builds the event of one recipient record, or says why it has no
// usable recipient.
func (s *Store) eventOf(m Message, rec dsn.Recipient, receivedAt time.Time) (Event, string) {
	r := m.Report
	addr := firstNonEmpty(rec.Address(), m.VerifiedRecipient) // the final recipient, or the original after an alias (dsn.Recipient.Address)
	if complaintForToken(m) {
		addr = m.VerifiedRecipient
	}
	if addr == "" {
		return Event{}, "no recipient"
	}
	email, err := Normalize(addr, s.opts.CaseSensitive)
	if err != nil {
		return Event{}, err.Error()
	}
	ev := Event{
		ReceivedAt: receivedAt, Mailbox: m.Mailbox, MessageKey: m.Key, MessageID: clean(r.Message.MessageID),
		Recipient: email, Domain: domainOf(email), Class: rec.Class, Reason: rec.Reason,
		Status: clean(rec.Status), ReplyCode: clean(rec.ReplyCode), Diagnostic: clean(rec.Diagnostic), RemoteMTA: clean(rec.RemoteMTA),
		ReportingMTA: clean(r.ReportingMTA), FeedbackType: clean(rec.FeedbackType), Verified: m.Verified,
		OriginalMessageID: clean(r.Original.MessageID), Stream: cmp.Or(m.Stream, DefaultStream), Action: clean(rec.Action),
	}
	if r.Type == dsn.TypeARF && ev.Class != dsn.ClassIgnore {
		ev.Class = dsn.ClassComplaint // an ARF record is a complaint unless dsn says otherwise (not-spam)
	}
	if r.Feedback != nil && ev.FeedbackType == "" {
		ev.FeedbackType = clean(r.Feedback.Type)
	}
	if ev.Class == "" {
		ev.Class = dsn.ClassIgnore
	}
	if ev.Reason == "" {
		ev.Reason = dsn.ReasonUndefined
	}
	return ev, ""
}

// maxField caps a text field taken from a message.
const maxField = 4000

// clean makes text from a message storable: valid UTF-8 (Postgres refuses
// anything else), no NUL or other control characters but tab, at most
// maxField bytes.
func clean(s string) string {
	if len(s) <= maxField && plainASCII(s) {
		return s // the usual case, without a pass per rule
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len(s) > maxField {
		s = strings.ToValidUTF8(s[:maxField], "")
	}
	return s
}

// plainASCII reports whether s is printable ASCII and tabs only.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return true
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			return v
		}
	}
	return ""
}
