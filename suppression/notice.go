package suppression

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bouncer-mail/bouncer/migrations"
)

// notice identifies one notice about one recipient: the reporting MTA,
// the notice's own Message-ID and the recipient. The same notice
// delivered again with other bytes (a Received: line added by another
// relay, a re-sent copy) has another ledger key but the same notice.
type notice struct{ mta, messageID, recipient string }

func noticeOf(ev Event) notice { return notice{ev.ReportingMTA, ev.MessageID, ev.Recipient} }

// dropRepeatedNotices drops, from the fresh rows, the events of a notice
// already counted: one in bounce_events, or earlier in the batch. A
// notice without a Message-ID is never taken for another. A row all of
// whose events were dropped gets the outcome "repeated"; its ledger row
// still keeps its bytes' key, so the copy itself is a duplicate next time.
// It starts again from each row's planned events, so a retried
// transaction drops the same ones.
func (s *Store) dropRepeatedNotices(ctx context.Context, tx *sqlx.Tx, rows []ledgerRow, fresh map[string]bool) error {
	var rcpts, ids []string
	for _, r := range rows {
		for _, ev := range r.planned {
			if fresh[r.key] && ev.MessageID != "" {
				rcpts, ids = append(rcpts, ev.Recipient), append(ids, ev.MessageID)
			}
		}
	}
	if len(rcpts) == 0 {
		return nil
	}
	seen, err := s.storedNotices(ctx, tx, rcpts, ids)
	if err != nil {
		return fmt.Errorf("notices: %w", err)
	}
	for i := range rows {
		r := &rows[i]
		if !fresh[r.key] {
			continue
		}
		r.events = r.events[:0:0]
		repeated := 0
		for _, ev := range r.planned {
			n := noticeOf(ev)
			if ev.MessageID != "" && seen[n] {
				repeated++
				continue
			}
			seen[n] = ev.MessageID != ""
			r.events = append(r.events, ev)
		}
		if repeated > 0 {
			r.err = clean(joinProblems(r.err, fmt.Sprintf("%d records repeat a notice already counted", repeated)))
			if len(r.events) == 0 {
				r.outcome = OutcomeRepeated
			}
		}
	}
	return nil
}

// storedNoticesPGSQL probes the recipient index once per (recipient,
// Message-ID) pair.
const storedNoticesPGSQL = `SELECT b.recipient, b.message_id, b.reporting_mta FROM unnest($1::text[], $2::text[]) AS k(r, m),
  LATERAL (SELECT recipient, message_id, reporting_mta FROM bounce_events e WHERE e.recipient = k.r AND e.message_id = k.m) b`

// storedNotices returns the notices in bounce_events about the given
// recipients with the given Message-IDs (pairwise on Postgres; SQLite
// may return more, which is harmless: each is a notice that was counted).
func (s *Store) storedNotices(ctx context.Context, tx *sqlx.Tx, rcpts, ids []string) (map[notice]bool, error) {
	var rows *sqlx.Rows
	var err error
	if s.dialect == migrations.Postgres {
		rows, err = tx.QueryxContext(ctx, storedNoticesPGSQL, pq.StringArray(rcpts), pq.StringArray(ids))
	} else {
		c1, a1 := s.inList("recipient", rcpts)
		c2, a2 := s.inList("message_id", ids)
		rows, err = tx.QueryxContext(ctx, `SELECT recipient, message_id, reporting_mta FROM bounce_events WHERE `+c1+` AND `+c2, a1, a2)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[notice]bool{}
	for rows.Next() {
		var n notice
		if err := rows.Scan(&n.recipient, &n.messageID, &n.mta); err != nil {
			return nil, err
		}
		seen[n] = true
	}
	return seen, rows.Err()
}

// joinProblems appends a problem to a ledger row's error text.
func joinProblems(text, problem string) string {
	if text == "" {
		return problem
	}
	return text + "; " + problem
}
