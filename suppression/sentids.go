package suppression

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// ErrSentIDReused is matched by AddSent's error when a count's id was
// recorded before for another stream, count or hour. Ids are one
// namespace across streams: an id names one count.
var ErrSentIDReused = errors.New("sent count id reused")

const sentIDRecordedSQL = `SELECT stream, hour, count FROM sent_count_ids WHERE id = ?`

// claimSentID records v's id in tx. fresh says it was new (the count is
// to be added); otherwise differs is empty when the id was recorded with
// v's stream, hour and count (a retry: nothing to add), else a sentence
// naming the id, what it was recorded with and what differs. The hour is
// compared only when the client gave v's time (atGiven): one that did not
// timed the count by its arrival, and its retry may arrive a later hour.
func (s *Store) claimSentID(ctx context.Context, tx *sqlx.Tx, v Sent, atGiven bool, now time.Time) (fresh bool, differs string, err error) {
	hour := v.At.Truncate(time.Hour)
	res, err := tx.ExecContext(ctx, s.q(sentIDSQL), v.ID, v.Stream, s.tv(hour), v.Count, s.tv(now))
	if err != nil {
		return false, "", fmt.Errorf("suppression: add sent id: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, "", fmt.Errorf("suppression: add sent id: %w", err)
	}
	if n > 0 {
		return true, "", nil
	}
	var was SentHour
	if err := tx.QueryRowContext(ctx, s.q(sentIDRecordedSQL), v.ID).Scan(&was.Stream, timeInto{&was.Hour}, &was.Count); err != nil {
		return false, "", fmt.Errorf("suppression: add sent id: recorded: %w", err)
	}
	if !atGiven {
		hour = was.Hour
	}
	return false, sentIDDiff(v.ID, was, SentHour{Stream: v.Stream, Hour: hour, Count: v.Count}), nil
}

// sentIDDiff says how now differs from the count id was recorded with
// ("" when it does not).
func sentIDDiff(id string, was, now SentHour) string {
	var diff []string
	if was.Stream != now.Stream {
		diff = append(diff, "stream "+now.Stream)
	}
	if was.Count != now.Count {
		diff = append(diff, fmt.Sprintf("count %d", now.Count))
	}
	if !was.Hour.Equal(now.Hour) {
		diff = append(diff, "hour "+hourText(now.Hour))
	}
	if len(diff) == 0 {
		return ""
	}
	return fmt.Sprintf("id %q was recorded before for stream %s, count %d, hour %s; this count has %s: "+
		"an id names one count (ids are shared by all streams), so give a different count a new id",
		id, was.Stream, was.Count, hourText(was.Hour), strings.Join(diff, ", "))
}

func hourText(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }
