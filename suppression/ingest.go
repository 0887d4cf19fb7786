package suppression

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/migrations"
)

// insertLedger writes the ledger rows that are not there yet and returns
// the keys it wrote: only those messages take effect. Writers hold the
// write lock (inTx), so no other transaction adds a key between the look-up
// and the insert; if one bypassed it, the unique key (the ledger's primary
// key on SQLite, processed_keys's on Postgres) would fail the transaction
// (SQLSTATE 23505) and inTxRetry would run it again.
func (s *Store) insertLedger(ctx context.Context, tx *sqlx.Tx, rows []ledgerRow, now time.Time) (map[string]bool, error) {
	fresh, err := s.freshRows(ctx, tx, rows)
	if err != nil || len(fresh) == 0 {
		return fresh, err
	}
	if err := s.dropRepeatedNotices(ctx, tx, rows, fresh); err != nil {
		return nil, err
	}
	return fresh, s.writeLedger(ctx, tx, rows, fresh, now)
}

// freshRows returns the keys of rows the ledger does not hold yet, under
// their key or their legacy key.
func (s *Store) freshRows(ctx context.Context, tx *sqlx.Tx, rows []ledgerRow) (map[string]bool, error) {
	if len(rows) == 0 {
		return nil, nil
	}
	keys := make([]string, len(rows), len(rows)+1)
	for i, r := range rows {
		keys[i] = r.key
	}
	for _, r := range rows {
		if r.legacyKey != "" {
			keys = append(keys, r.legacyKey)
		}
	}
	known, err := s.knownKeys(ctx, tx, keys)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	knownSet := make(map[string]bool, len(known))
	for _, k := range known {
		knownSet[k] = true
	}
	fresh := make(map[string]bool, len(rows))
	for _, r := range rows {
		if !knownSet[r.key] && (r.legacyKey == "" || !knownSet[r.legacyKey]) {
			fresh[r.key] = true
		}
	}
	return fresh, nil
}

// writeLedger writes the rows whose keys are fresh.
func (s *Store) writeLedger(ctx context.Context, tx *sqlx.Tx, rows []ledgerRow, fresh map[string]bool, now time.Time) error {
	rows = slices.DeleteFunc(slices.Clone(rows), func(r ledgerRow) bool { return !fresh[r.key] })
	if s.dialect != migrations.Postgres {
		// In key order, the primary key's: the keys are hashes, so in
		// arrival order each would descend to a random leaf of it; sorted,
		// neighbours share leaves. (On Postgres keyBatch sorts the keys of
		// processed_keys, and the ledger has no index on them.)
		slices.SortFunc(rows, func(a, b ledgerRow) int { return strings.Compare(a.key, b.key) })
	}
	if err := s.appendRows(ctx, tx, "processed_messages", ledgerBatch(rows, now)); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if s.dialect == migrations.Postgres {
		if err := s.appendRows(ctx, tx, "processed_keys", keyBatch(rows)); err != nil {
			return fmt.Errorf("ledger keys: %w", err)
		}
	}
	if err := s.noteReceived(ctx, tx, rows); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// noteReceivedSQL keeps the newest received time of a mailbox's ledger.
const noteReceivedSQL = `INSERT INTO mailbox_received (mailbox, last_received_at) VALUES (?, ?)
ON CONFLICT (mailbox) DO UPDATE SET last_received_at = excluded.last_received_at
WHERE excluded.last_received_at > mailbox_received.last_received_at`

// noteReceived records in mailbox_received the newest message of each
// mailbox among the ledger rows (a batch comes from one mailbox or few).
func (s *Store) noteReceived(ctx context.Context, tx *sqlx.Tx, rows []ledgerRow) error {
	newest := map[string]time.Time{}
	for _, r := range rows {
		if t, ok := newest[r.mailbox]; !ok || r.receivedAt.After(t) {
			newest[r.mailbox] = r.receivedAt
		}
	}
	for _, mailbox := range sortedKeys(newest) {
		if err := s.execPrepared(ctx, tx, s.q(noteReceivedSQL), mailbox, s.tv(newest[mailbox])); err != nil {
			return fmt.Errorf("mailbox_received: %w", err)
		}
	}
	return nil
}

// ledgerKnownPGSQL probes the primary key of the ledger's keys
// (processed_keys: one table, where the ledger is partitioned by month)
// once per key ($1, in key order). As "message_key = ANY($1)" Postgres
// would rather scan the whole table, matching each row against a hash of
// the keys, until it held a few hundred thousand rows (1.2 ms a batch of
// 100 at 20,000); the LIMIT keeps each look-up a probe.
const ledgerKnownPGSQL = `SELECT p.message_key FROM unnest($1::text[]) AS k(key),
  LATERAL (SELECT message_key FROM processed_keys WHERE message_key = k.key LIMIT 1) p`

// knownKeys returns which keys the ledger holds.
func (s *Store) knownKeys(ctx context.Context, tx *sqlx.Tx, keys []string) ([]string, error) {
	query, arg := ledgerKnownPGSQL, any(pq.StringArray(slices.Sorted(slices.Values(keys))))
	if s.dialect != migrations.Postgres {
		var cond string
		cond, arg = s.inList("message_key", keys)
		query = `SELECT message_key FROM processed_messages WHERE ` + cond
	}
	rows, err := s.queryPrepared(ctx, tx, query, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var known []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		known = append(known, k)
	}
	return known, rows.Err()
}

// keyBatch is the processed_keys rows of ledger rows (Postgres), in key
// order: the keys are hashes, so in arrival order each would descend to a
// random leaf of the primary key; sorted, neighbours share leaves (a third
// less Postgres CPU for their COPY).
func keyBatch(rows []ledgerRow) *batch {
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(rows[a].key, rows[b].key) })
	key, received := make([]string, len(rows)), make([]time.Time, len(rows))
	for i, j := range order {
		key[i], received[i] = rows[j].key, rows[j].receivedAt
	}
	return new(batch).text("message_key", key).time("received_at", received)
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

// insertEvents appends events to bounce_events, running during (if not
// nil) while Postgres takes them in.
func (s *Store) insertEvents(ctx context.Context, tx *sqlx.Tx, evs []Event, during func()) error {
	if len(evs) == 0 {
		if during != nil {
			during()
		}
		return nil
	}
	if s.announcesEvents() {
		if err := s.reserveEventIDs(ctx, tx, evs); err != nil {
			return fmt.Errorf("events: %w", err)
		}
	}
	if err := s.appendRowsWhile(ctx, tx, "bounce_events", eventBatch(evs), during); err != nil {
		return fmt.Errorf("events: %w", err)
	}
	return nil
}

func eventBatch(evs []Event) *batch {
	n := len(evs)
	str := func() []string { return make([]string, n) }
	received, verified := make([]time.Time, n), make([]bool, n)
	mailbox, key, msgID, rcpt, domain, class, reason, status := str(), str(), str(), str(), str(), str(), str(), str()
	reply, diag, remote, reporting, fbType, orig, stream, action := str(), str(), str(), str(), str(), str(), str(), str()
	for i, e := range evs {
		received[i], verified[i], mailbox[i], key[i], msgID[i] = e.ReceivedAt, e.Verified, e.Mailbox, e.MessageKey, e.MessageID
		rcpt[i], domain[i], class[i], reason[i], status[i] = e.Recipient, e.Domain, string(e.Class), string(e.Reason), e.Status
		reply[i], diag[i], remote[i], reporting[i], fbType[i], orig[i] = e.ReplyCode, e.Diagnostic, e.RemoteMTA, e.ReportingMTA, e.FeedbackType, e.OriginalMessageID
		stream[i], action[i] = cmp.Or(e.Stream, DefaultStream), e.Action
	}
	b := new(batch).time("received_at", received).text("mailbox", mailbox).text("message_key", key).
		text("message_id", msgID).text("recipient", rcpt).text("domain", domain).text("class", class).
		text("reason", reason).text("status", status).text("reply_code", reply).text("diagnostic", diag).
		text("remote_mta", remote).text("reporting_mta", reporting).text("feedback_type", fbType).
		boolean("verified", verified).text("original_message_id", orig).text("stream", stream).text("action", action)
	if n > 0 && evs[0].ID != 0 { // ids reserved for announcements (reserveEventIDs)
		ids := make([]int64, n)
		for i, e := range evs {
			ids[i] = e.ID
		}
		b.integer("id", ids)
	}
	return b
}

// applyEvents stores the events and folds the counted ones into their
// addresses' entries (one row per address however often it repeats), and
// returns the entries that became suppressed at now; the suppressions
// it starts are counted in roll. The entries are read before the events
// are stored (so the batch's own soft events are added in memory) and
// worked out while Postgres takes in the events.
func (s *Store) applyEvents(ctx context.Context, tx *sqlx.Tx, evs []Event, now time.Time, roll rollup) (newly []Entry, bySource map[string]int, err error) {
	p := s.Policy()
	byAddr := groupCounted(p, evs)
	if len(byAddr) == 0 {
		return nil, nil, s.insertEvents(ctx, tx, evs, nil)
	}
	emails := sortedKeys(byAddr)
	entries, allowed, soft, err := s.ingestState(ctx, tx, p, emails, byAddr)
	if err != nil {
		return nil, nil, err
	}
	fresh, changed := make([]Entry, 0, len(emails)), make([]Entry, 0, len(entries))
	bySource = map[string]int{}
	apply := func() {
		for _, email := range emails {
			for _, ev := range byAddr[email] { // the batch's own counted soft events
				if ev.Class == dsn.ClassSoft {
					soft[email] = append(soft[email], ev.ReceivedAt)
				}
			}
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
				newly = append(newly, e)
				bySource[e.Source]++
			}
		}
	}
	if err := s.insertEvents(ctx, tx, evs, apply); err != nil {
		return nil, nil, err
	}
	for _, e := range fresh {
		roll.addStart(nil, e)
	}
	for _, e := range changed {
		old := entries[e.Email]
		roll.addStart(&old, e)
	}
	return newly, bySource, s.saveEntries(ctx, tx, fresh, changed)
}

// groupCounted returns the events that count, by address, each address's
// in the batch's order (one allocation for all the events).
func groupCounted(p Policy, evs []Event) map[string][]Event {
	n := map[string]int{}
	for _, ev := range evs {
		if p.Counts(ev, nil) {
			n[ev.Recipient]++
		}
	}
	if len(n) == 0 {
		return nil
	}
	all := make([]Event, 0, len(evs))
	byAddr := make(map[string][]Event, len(n))
	for _, ev := range evs {
		if !p.Counts(ev, nil) {
			continue
		}
		g, ok := byAddr[ev.Recipient]
		if !ok {
			g = all[len(all) : len(all) : len(all)+n[ev.Recipient]]
			all = all[:len(all)+n[ev.Recipient]]
		}
		byAddr[ev.Recipient] = append(g, ev)
	}
	return byAddr
}

// ingestState reads what applying events to the addresses needs: their
// entries, which of them the allowlist covers, and the times of their
// stored soft events that can fall in a window (softTimes). Postgres
// answers all three in one prepared query, with rows only for addresses
// that have any of them (a batch of new addresses reads nothing back);
// SQLite runs them apart. soft is never nil.
func (s *Store) ingestState(ctx context.Context, tx *sqlx.Tx, p Policy, emails []string, byAddr map[string][]Event) (
	entries map[string]Entry, allowed map[string]bool, soft map[string][]time.Time, err error) {
	if s.dialect != migrations.Postgres {
		if entries, err = s.loadEntries(ctx, tx, emails); err != nil {
			return nil, nil, nil, err
		}
		if allowed, err = s.allowed(ctx, tx, emails); err != nil {
			return nil, nil, nil, err
		}
		soft, err = s.softTimes(ctx, tx, p, byAddr)
		if soft == nil {
			soft = map[string][]time.Time{}
		}
		return entries, allowed, soft, err
	}
	domains, wantSoft := make([]string, len(emails)), make([]bool, len(emails))
	var from time.Time
	for i, email := range emails {
		domains[i] = domainOf(email)
		for _, ev := range byAddr[email] {
			if ev.Class == dsn.ClassSoft {
				wantSoft[i] = true
				if from.IsZero() || ev.ReceivedAt.Before(from) {
					from = ev.ReceivedAt
				}
			}
		}
	}
	if from.IsZero() {
		from = time.Unix(0, 0) // no soft events: not used, but a date Postgres takes
	}
	from = from.Add(-p.withDefaults().SoftWindow)
	rows, err := s.queryPrepared(ctx, tx, pgStateSQL, pq.StringArray(emails), pq.StringArray(domains), pq.BoolArray(wantSoft),
		from.UTC(), p.RequireVerified)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("ingest state: %w", err)
	}
	defer rows.Close()
	entries, allowed, soft = make(map[string]Entry, len(emails)), map[string]bool{}, map[string][]time.Time{}
	for rows.Next() {
		var email string
		var known, allow bool
		var e Entry
		var micros pq.Int64Array
		if err := rows.Scan(append(append([]any{&email, &known}, e.dests()...), &allow, &micros)...); err != nil {
			return nil, nil, nil, fmt.Errorf("ingest state: %w", err)
		}
		if known {
			entries[email] = e
		}
		if allow {
			allowed[email] = true
		}
		for _, us := range micros {
			soft[email] = append(soft[email], time.UnixMicro(us).UTC())
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, nil, fmt.Errorf("ingest state: %w", err)
	}
	return entries, allowed, soft, nil
}

// pgStateSQL is ingestState's query: one row per address ($1, with its
// domain $2 and whether it has soft events $3), its entry outer-joined;
// soft times as Unix microseconds (Postgres's precision) after $4, only
// verified ones when $5. Each address probes the indexes (the LIMIT keeps
// Postgres from turning the look-up into a join, which it would hash over
// a scan of the whole table as soon as the batch is a few thousand
// addresses); OFFSET 0 keeps the soft look-up from running twice, in the
// filter and in the result.
var pgStateSQL = `SELECT email, known, ` + prefixed("s_", entryCols) + `, allowed, soft
FROM (SELECT a.email, s.email IS NOT NULL AS known, ` + orZeroAs("s", "s_", entryCols) + `,
  a.email IN (SELECT entry FROM allowlist) OR a.domain IN (SELECT entry FROM allowlist) AS allowed,
  CASE WHEN a.soft THEN ARRAY(SELECT (extract(epoch FROM e.received_at) * 1000000)::bigint FROM bounce_events e
    WHERE e.recipient = a.email AND e.class = 'soft' AND e.received_at > $4 AND (e.verified OR NOT $5)) END AS soft
  FROM unnest($1::text[], $2::text[], $3::boolean[]) AS a(email, domain, soft)
  LEFT JOIN LATERAL (SELECT ` + entryCols + ` FROM suppressions s WHERE s.email = a.email LIMIT 1) s ON true
  OFFSET 0) x
WHERE known OR allowed OR cardinality(soft) > 0`

// prefixed returns the comma-separated column names cols, each with prefix.
func prefixed(prefix, cols string) string {
	names := strings.Split(cols, ",")
	for i, c := range names {
		names[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(names, ", ")
}

// orZeroAs is orZero with each expression named by its column with prefix,
// so an outer query can list them.
func orZeroAs(alias, prefix, cols string) string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		c = strings.TrimSpace(c)
		out = append(out, orZero(alias, c)+" AS "+prefix+c)
	}
	return strings.Join(out, ", ")
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
