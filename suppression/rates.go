package suppression

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/internal/calday"
	"github.com/jmoiron/sqlx"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

// This file turns sent counts and bounce events into rates per stream and
// day: what mailbox providers judge a sender by (SES: hard bounces and
// complaints per message sent).

// DefaultMinVolume is the fewest messages sent before a rate is shown.
const DefaultMinVolume = 1000

// RateCounts are the messages sent and the events of a stream (or of all
// streams) over a period.
type RateCounts struct {
	Sent      int64 `json:"sent"`
	Hard      int64 `json:"hard"`
	Soft      int64 `json:"soft"`
	Block     int64 `json:"block"`
	Complaint int64 `json:"complaint"`
}

// RateFigures are counts with their rates. A rate is nil ("not enough
// volume") while fewer than the minimum volume were sent, so that three
// bounces of two messages never read as 150%.
type RateFigures struct {
	RateCounts
	BounceRate    *float64 `json:"bounce_rate"`    // Hard ÷ Sent
	ComplaintRate *float64 `json:"complaint_rate"` // Complaint ÷ Sent
}

// Enough reports whether the rates are shown.
func (f RateFigures) Enough() bool { return f.BounceRate != nil }

// DayRates are one day's figures; Day is "2006-01-02" in the query's zone.
type DayRates struct {
	Day string `json:"day"`
	RateFigures
}

// StreamRates are one stream's figures: per day, oldest first, and over
// the 7 and 30 days ending with the last day.
type StreamRates struct {
	Stream string      `json:"stream"`
	Days   []DayRates  `json:"days"`
	Last7  RateFigures `json:"last_7_days"`
	Last30 RateFigures `json:"last_30_days"`
}

// Rates answers a RatesQuery.
type Rates struct {
	LastDay   string        `json:"last_day"`
	TimeZone  string        `json:"time_zone"`
	MinVolume int64         `json:"min_volume"`
	Overall   *StreamRates  `json:"overall,omitempty"` // all streams; nil when the query names one
	Streams   []StreamRates `json:"streams"`           // by name
}

// RatesQuery says which rates to compute.
type RatesQuery struct {
	Stream    string         // only this stream; "" for each stream and overall
	Days      int            // per-day rows, ending with the last day; 0 means 7
	Last      time.Time      // the last day is the one holding this time
	Location  *time.Location // days are this zone's; nil means UTC
	MinVolume int64          // 0 means DefaultMinVolume
}

// ratesDays is the number of days any query reads: the trailing 30.
const ratesDays = 30

// Rates computes q's figures from sent_counts and rate_counts (the events
// per stream, hour and class, kept by Record). Days are whole hours of
// either table, so they are exact in any zone whose offset is whole hours.
func (s *Store) Rates(ctx context.Context, q RatesQuery) (Rates, error) {
	q = q.withDefaults()
	days := dayList(q.Last.In(q.Location), max(q.Days, ratesDays))
	from, to := dayStart(days[0], q.Location), dayEnd(days[len(days)-1], q.Location)
	byDay, err := s.rateCounts(ctx, from, to, q)
	if err != nil {
		return Rates{}, fmt.Errorf("suppression: rates: %w", err)
	}
	r := Rates{LastDay: days[len(days)-1], TimeZone: q.Location.String(), MinVolume: q.MinVolume, Streams: []StreamRates{}}
	streams := make([]string, 0, len(byDay))
	all := map[string]RateCounts{}
	for st, m := range byDay {
		streams = append(streams, st)
		for d, c := range m {
			all[d] = all[d].Plus(c)
		}
	}
	slices.Sort(streams)
	for _, st := range streams {
		r.Streams = append(r.Streams, streamRates(st, byDay[st], days, q))
	}
	if q.Stream == "" {
		o := streamRates("", all, days, q)
		r.Overall = &o
	}
	return r, nil
}

func (q RatesQuery) withDefaults() RatesQuery {
	if q.Days <= 0 {
		q.Days = 7
	}
	if q.Location == nil {
		q.Location = time.UTC
	}
	if q.MinVolume <= 0 {
		q.MinVolume = DefaultMinVolume
	}
	return q
}

// dayList returns the n days ending with last's, oldest first.
func dayList(last time.Time, n int) []string {
	out := make([]string, n)
	y, m, d := last.Date()
	for i := range n {
		out[i] = time.Date(y, m, d-(n-1-i), 12, 0, 0, 0, time.UTC).Format(time.DateOnly)
	}
	return out
}

// dayStart is the first instant of day (YYYY-MM-DD from dayList) in loc.
func dayStart(day string, loc *time.Location) time.Time {
	d, _ := calday.Parse(day)
	return d.Start(loc)
}

// dayEnd is where day ends in loc: the first instant of the next.
func dayEnd(day string, loc *time.Location) time.Time {
	d, _ := calday.Parse(day)
	return d.End(loc)
}

// Plus adds o to c.
func (c RateCounts) Plus(o RateCounts) RateCounts {
	return RateCounts{Sent: c.Sent + o.Sent, Hard: c.Hard + o.Hard, Soft: c.Soft + o.Soft, Block: c.Block + o.Block, Complaint: c.Complaint + o.Complaint}
}

// Figures adds the rates to c when Sent reaches minVolume.
func (c RateCounts) Figures(minVolume int64) RateFigures {
	f := RateFigures{RateCounts: c}
	if c.Sent >= minVolume && c.Sent > 0 {
		b, cr := float64(c.Hard)/float64(c.Sent), float64(c.Complaint)/float64(c.Sent)
		f.BounceRate, f.ComplaintRate = &b, &cr
	}
	return f
}

// streamRates builds one stream's figures from its counts per day.
func streamRates(stream string, byDay map[string]RateCounts, days []string, q RatesQuery) StreamRates {
	sr := StreamRates{Stream: stream, Days: make([]DayRates, 0, q.Days)}
	var last7, last30 RateCounts
	for i, d := range days {
		c := byDay[d]
		if i >= len(days)-q.Days {
			sr.Days = append(sr.Days, DayRates{Day: d, RateFigures: c.Figures(q.MinVolume)})
		}
		if i >= len(days)-7 {
			last7 = last7.Plus(c)
		}
		if i >= len(days)-ratesDays {
			last30 = last30.Plus(c)
		}
	}
	sr.Last7, sr.Last30 = last7.Figures(q.MinVolume), last30.Figures(q.MinVolume)
	return sr
}

// rateCountsClasses are the event classes rates count.
var rateCountsClasses = []dsn.Class{dsn.ClassHard, dsn.ClassSoft, dsn.ClassBlock, dsn.ClassComplaint}

// hourKey is one rate_counts row's identity.
type hourKey struct {
	hour          time.Time // UTC, whole
	stream, class string
}

// writeRateCounts adds the events of a batch to rate_counts (migration
// 00054), the events per stream, UTC hour and class that rates read, in
// one statement: Record keeps them in the transaction that stores the
// events, so pruning events leaves the rates of their days as they were.
func (s *Store) writeRateCounts(ctx context.Context, tx *sqlx.Tx, evs []Event) error {
	counts := map[hourKey]int64{}
	for _, ev := range evs {
		if slices.Contains(rateCountsClasses, ev.Class) {
			counts[hourKey{ev.ReceivedAt.UTC().Truncate(time.Hour), cmp.Or(ev.Stream, DefaultStream), string(ev.Class)}]++
		}
	}
	if len(counts) == 0 {
		return nil
	}
	keys := slices.SortedFunc(maps.Keys(counts), func(a, b hourKey) int { // one order: concurrent batches wait, never deadlock
		return cmp.Or(a.hour.Compare(b.hour), strings.Compare(a.stream, b.stream), strings.Compare(a.class, b.class))
	})
	hours, streams, classes, ns := make([]time.Time, len(keys)), make([]string, len(keys)), make([]string, len(keys)), make([]int64, len(keys))
	for i, k := range keys {
		hours[i], streams[i], classes[i], ns[i] = k.hour, k.stream, k.class, counts[k]
	}
	src, args := s.source(new(batch).time("hour", hours).text("stream", streams).text("class", classes).integer("n", ns))
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO rate_counts (hour, stream, class, n) SELECT hour, stream, class, n FROM `+src+
		` WHERE true ON CONFLICT (hour, stream, class) DO UPDATE SET n = rate_counts.n + excluded.n`), args...)
	if err != nil {
		return fmt.Errorf("rate counts: %w", err)
	}
	return nil
}

// rateCounts reads the counts of [from, to) per stream and day of q's zone:
// the messages sent from sent_counts, the events from rate_counts, both
// one row per stream and hour (and class).
func (s *Store) rateCounts(ctx context.Context, from, to time.Time, q RatesQuery) (map[string]map[string]RateCounts, error) {
	streamCond, args := "", []any{s.tv(from), s.tv(to)}
	if q.Stream != "" {
		streamCond, args = " AND stream = ?", append(args, q.Stream)
	}
	sent := `SELECT stream, hour, 'sent', count FROM sent_counts WHERE hour >= ? AND hour < ?` + streamCond
	events := `SELECT stream, hour, class, n FROM rate_counts WHERE hour >= ? AND hour < ?` + streamCond
	out := map[string]map[string]RateCounts{}
	days := map[int64]string{} // UTC hour (Unix seconds) -> its day in q's zone
	for _, query := range []string{sent, events} {
		if err := s.addHours(ctx, query, args, q.Location, days, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addHours adds the rows (stream, UTC hour, class or "sent", count) of
// query to out's stream and day in loc; days caches the day of each hour.
func (s *Store) addHours(ctx context.Context, query string, args []any, loc *time.Location, days map[int64]string, out map[string]map[string]RateCounts) error {
	rows, err := s.rdb.QueryxContext(ctx, s.q(query), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var stream, class string
		var hour dbTime
		var n int64
		if err := rows.Scan(&stream, &hour, &class, &n); err != nil {
			return err
		}
		d, ok := days[hour.Unix()]
		if !ok {
			d = hour.In(loc).Format(time.DateOnly)
			days[hour.Unix()] = d
		}
		if out[stream] == nil {
			out[stream] = map[string]RateCounts{}
		}
		c := out[stream][d]
		*c.class(class) += n
		out[stream][d] = c
	}
	return rows.Err()
}

// class returns the counter of an event class, or of "sent".
func (c *RateCounts) class(class string) *int64 {
	switch class {
	case "sent":
		return &c.Sent
	case "hard":
		return &c.Hard
	case "soft":
		return &c.Soft
	case "block":
		return &c.Block
	}
	return &c.Complaint
}

// FormatRate writes a rate for a person: "0.08%", or "not enough volume"
// for nil. It cuts to two decimals, never rounding up, so a rate under a
// threshold of two decimals (SES's 0.1%, bouncer's 0.08%) never reads as
// the threshold: 0.0977% is "0.09%", not an unmarked "0.10%".
func FormatRate(r *float64) string {
	if r == nil {
		return "not enough volume"
	}
	// The small epsilon keeps a share that is exactly a hundredth of a
	// percent (2/1000) from losing it to the float's representation.
	return strconv.FormatFloat(math.Floor(*r*10000+1e-6)/100, 'f', 2, 64) + "%"
}

// FormatCount writes a count with commas: 12,345.
func FormatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0 && s[i-1] != '-'; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// MaxRateDays is the most days a rates query lists one by one.
const MaxRateDays = 400

// ParseRatesQuery reads the parameters stream and days (1 to MaxRateDays)
// of a rates request into q, naming what is wrong.
func ParseRatesQuery(stream, days string, q RatesQuery) (RatesQuery, error) {
	if stream != "" {
		st, err := verp.CheckStream(stream)
		if err != nil {
			return q, badRequestf("stream %q must be 1 to %d of a-z, 0-9, '-' and '_'", stream, verp.MaxStream)
		}
		q.Stream = st
	}
	if days != "" {
		n, err := strconv.Atoi(days)
		if err != nil || n < 1 || n > MaxRateDays {
			return q, badRequestf("days %q must be a whole number from 1 to %d", days, MaxRateDays)
		}
		q.Days = n
	}
	return q, nil
}

// StreamTop ranks one stream's events of the given classes in the window
// by a column, most frequent first, ties by value; empty values are left
// out.
func (s *Store) StreamTop(ctx context.Context, w Window, stream string, classes []string, by Dimension, limit int) ([]Count, error) {
	col, ok := topColumns[by]
	if !ok {
		return nil, fmt.Errorf("suppression: stream top: unknown dimension %q", by)
	}
	args := append(s.window(w), stream)
	marks := make([]string, len(classes))
	for i, c := range classes {
		marks[i] = "?"
		args = append(args, c)
	}
	query := `SELECT ` + col + `, COUNT(*) AS n FROM bounce_events
WHERE received_at >= ? AND received_at < ? AND stream = ? AND class IN (` + strings.Join(marks, ", ") + `) AND ` + col + ` <> ''
GROUP BY ` + col + ` ORDER BY n DESC, ` + col + limitClause(limit)
	out, err := queryRows(ctx, s, query, args, scanCount)
	if err != nil {
		return nil, fmt.Errorf("suppression: stream top %s: %w", by, err)
	}
	return out, nil
}
