package suppression

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
)

// insertLedger writes the ledger rows that are not there yet and returns
// the keys it wrote: only those messages take effect. Writers hold the
// write lock (inTx), so no other transaction adds a key between the look-up
// and the insert; if one bypassed it, the unique key would fail the
// transaction (SQLSTATE 23505) and inTxRetry would run it again.
func (s *Store) insertLedger(ctx context.Context, tx *sqlx.Tx, rows []ledgerRow, now time.Time) (map[string]bool, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	keys := make([]string, len(rows))
	for i, r := range rows {
		keys[i] = r.key
	}
	cond, arg := s.inList("message_key", keys)
	var known []string
	if err := tx.SelectContext(ctx, &known, s.q(`SELECT message_key FROM processed_messages WHERE `+cond), arg); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	fresh := make(map[string]bool, len(rows))
	for _, k := range keys {
		fresh[k] = true
	}
	for _, k := range known {
		delete(fresh, k)
	}
	rows = slices.DeleteFunc(slices.Clone(rows), func(r ledgerRow) bool { return !fresh[r.key] })
	if err := s.appendRows(ctx, tx, "processed_messages", ledgerBatch(rows, now)); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return fresh, nil
}

func ledgerBatch(rows []ledgerRow, now time.Time) *batch {
	n := len(rows)
	str := func() []string { return make([]string, n) }
	key, mailbox, typ, msgID, subject, from, outcome, errText := str(), str(), str(), str(), str(), str(), str(), str()
	received, processed, records := make([]time.Time, n), make([]time.Time, n), make([]int64, n)
	for i, r := range rows {
		key[i], mailbox[i], typ[i], msgID[i], subject[i], from[i] = r.key, r.mailbox, r.typ, r.messageID, r.subject, r.from
		outcome[i], errText[i], received[i], processed[i], records[i] = r.outcome, r.err, r.receivedAt, now, int64(len(r.events))
	}
	return new(batch).text("message_key", key).text("mailbox", mailbox).time("received_at", received).
		time("processed_at", processed).text("type", typ).text("message_id", msgID).text("subject", subject).
		text("from_addr", from).integer("records", records).text("outcome", outcome).text("error", errText)
}

// insertEvents appends events to bounce_events.
func (s *Store) insertEvents(ctx context.Context, tx *sqlx.Tx, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	if err := s.appendRows(ctx, tx, "bounce_events", eventBatch(evs)); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	return nil
}

func eventBatch(evs []Event) *batch {
	n := len(evs)
	str := func() []string { return make([]string, n) }
	received, verified := make([]time.Time, n), make([]bool, n)
	mailbox, key, msgID, rcpt, domain, class, reason, status := str(), str(), str(), str(), str(), str(), str(), str()
	reply, diag, remote, reporting, fbType, orig := str(), str(), str(), str(), str(), str()
	for i, e := range evs {
		received[i], verified[i], mailbox[i], key[i], msgID[i] = e.ReceivedAt, e.Verified, e.Mailbox, e.MessageKey, e.MessageID
		rcpt[i], domain[i], class[i], reason[i], status[i] = e.Recipient, e.Domain, string(e.Class), string(e.Reason), e.Status
		reply[i], diag[i], remote[i], reporting[i], fbType[i], orig[i] = e.ReplyCode, e.Diagnostic, e.RemoteMTA, e.ReportingMTA, e.FeedbackType, e.OriginalMessageID
	}
	return new(batch).time("received_at", received).text("mailbox", mailbox).text("message_key", key).
		text("message_id", msgID).text("recipient", rcpt).text("domain", domain).text("class", class).
		text("reason", reason).text("status", status).text("reply_code", reply).text("diagnostic", diag).
		text("remote_mta", remote).text("reporting_mta", reporting).text("feedback_type", fbType).
		boolean("verified", verified).text("original_message_id", orig)
}

// applyEvents folds the counted events into their addresses' entries (one
// row per address however often it repeats) and returns the addresses that
// became suppressed at now.
func (s *Store) applyEvents(ctx context.Context, tx *sqlx.Tx, evs []Event, now time.Time) ([]string, error) {
	p := s.Policy()
	byAddr := make(map[string][]Event, len(evs))
	for _, ev := range evs {
		if p.Counts(ev, nil) {
			byAddr[ev.Recipient] = append(byAddr[ev.Recipient], ev)
		}
	}
	if len(byAddr) == 0 {
		return nil, nil
	}
	emails := sortedKeys(byAddr)
	entries, err := s.loadEntries(ctx, tx, emails)
	if err != nil {
		return nil, err
	}
	allowed, err := s.allowed(ctx, tx, emails)
	if err != nil {
		return nil, err
	}
	soft, err := s.softTimes(ctx, tx, p, byAddr)
	if err != nil {
		return nil, err
	}
	var fresh, changed []Entry
	var newly []string
	for _, email := range emails {
		e, known := entries[email]
		if !known {
			e = Entry{Email: email, Domain: domainOf(email), Source: SourceBounce}
		}
		was := known && e.Active(now)
		if !p.applyAll(&e, byAddr[email], soft[email], allowed[email]) {
			continue
		}
		if known {
			changed = append(changed, e)
		} else {
			fresh = append(fresh, e)
		}
		if !was && e.Active(now) && !allowed[email] {
			newly = append(newly, email)
		}
	}
	return newly, s.saveEntries(ctx, tx, fresh, changed)
}

// applyAll applies the events that count for e in time order, given the
// address's counted soft event times, and reports whether any counted.
func (p Policy) applyAll(e *Entry, evs []Event, soft []time.Time, allowed bool) bool {
	sortEvents(evs)
	counted := false
	for _, ev := range evs {
		if !p.Counts(ev, e.ClearedAt) {
			continue
		}
		p.Apply(e, ev, p.recentSoft(afterTime(soft, e.ClearedAt), ev.ReceivedAt), allowed)
		counted = true
	}
	return counted
}

// afterTime returns the times after t (all of them when t is nil).
func afterTime(times []time.Time, t *time.Time) []time.Time {
	if t == nil {
		return times
	}
	return slices.DeleteFunc(slices.Clone(times), func(x time.Time) bool { return !x.After(*t) })
}
