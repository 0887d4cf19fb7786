package suppression

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/internal/duration"
	"github.com/bouncer-mail/bouncer/internal/verp"
)

// This file holds the volume a sending application reports: the
// sent_counts table (per stream per hour) and the ids that make a report
// idempotent. Schema: migrations/*/00061_sent_counts.sql.

// ErrInvalidSent is returned, wrapped with what is wrong, for a sent count
// that cannot be recorded.
var ErrInvalidSent = errors.New("invalid sent count")

// Limits of one sent count.
const (
	// MaxSentCount is the largest count one item may carry.
	MaxSentCount = 1_000_000_000
	// MaxSentID is the longest client id, in octets.
	MaxSentID = 200
	// SentFutureSkew is how far ahead of now a count's time may be (clock
	// skew between the app and bouncer).
	SentFutureSkew = 5 * time.Minute
)

// Sent is a number of messages a stream sent at a time. ID, when set, makes
// recording it idempotent: a second Sent with the same ID adds nothing.
type Sent struct {
	ID     string    `json:"id,omitempty"`
	Stream string    `json:"stream"`
	Count  int64     `json:"count"`
	At     time.Time `json:"at"` // zero: now
}

// SentHour is the count of one stream in one hour (UTC, whole hour).
type SentHour struct {
	Stream string    `json:"stream"`
	Hour   time.Time `json:"hour"`
	Count  int64     `json:"count"`
}

// CheckSent returns v in canonical form (stream lower-cased, At set to now
// when zero, in UTC) or an error wrapping ErrInvalidSent that names each
// field at fault. keep is how long sent counts are kept (Retention.Sent;
// 0: for ever): a count for an hour that pruning would already delete is
// refused.
func CheckSent(v Sent, now time.Time, keep time.Duration) (Sent, error) {
	c, problems := checkSent(v, now, keep)
	if len(problems) > 0 {
		return Sent{}, fmt.Errorf("%w: %s", ErrInvalidSent, strings.Join(problems, "; "))
	}
	return c, nil
}

// checkSent is CheckSent with the problems as a list.
func checkSent(v Sent, now time.Time, keep time.Duration) (Sent, []string) {
	var problems []string
	stream, err := verp.CheckStream(v.Stream)
	if err != nil {
		problems = append(problems, fmt.Sprintf("stream %q must be 1 to %d of a-z, 0-9, '-' and '_'", v.Stream, verp.MaxStream))
	}
	if v.Count < 1 || v.Count > MaxSentCount {
		problems = append(problems, fmt.Sprintf("count %d must be 1 to %d", v.Count, MaxSentCount))
	}
	if len(v.ID) > MaxSentID {
		problems = append(problems, fmt.Sprintf("id is longer than %d octets", MaxSentID))
	}
	at := v.At
	if at.IsZero() {
		at = now
	}
	if at.After(now.Add(SentFutureSkew)) {
		problems = append(problems, fmt.Sprintf("at %s is more than %s in the future", at.UTC().Format(time.RFC3339), duration.Format(SentFutureSkew)))
	}
	// Prune deletes the hours before now-keep: a count for one of them
	// would be recorded, then lost.
	if cutoff := now.Add(-keep); keep > 0 && at.Truncate(time.Hour).Before(cutoff) {
		problems = append(problems, fmt.Sprintf("at %s is older than retention.sent (%s) keeps sent counts: the hours before %s are pruned",
			at.UTC().Format(time.RFC3339), duration.Format(keep), cutoff.UTC().Format(time.RFC3339)))
	}
	return Sent{ID: v.ID, Stream: stream, Count: v.Count, At: at.UTC()}, problems
}

const (
	sentIDSQL = `INSERT INTO sent_count_ids (id, stream, hour, count, received_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (id) DO NOTHING`
	sentAddSQL = `INSERT INTO sent_counts (stream, hour, count) VALUES (?, ?, ?)
ON CONFLICT (stream, hour) DO UPDATE SET count = sent_counts.count + excluded.count`
)

// AddSent checks every item (CheckSent, with the store's Retention.Sent;
// nothing is recorded when one is invalid, and the error names each such
// item by its index from 0) and adds them to their streams' hours in one
// transaction. It returns, per item, whether it was added: false for an
// item whose ID was recorded before with the same stream, count and hour,
// or, for an item without At (now), the same stream and count whatever
// the hour: a retry of a count timed by its arrival comes in a later hour.
// An ID recorded before with another stream, count or hour is a client's
// mistake that would lose a count: AddSent then records nothing and
// returns an error matching ErrSentIDReused that names each such item, the
// ID and what differs.
func (s *Store) AddSent(ctx context.Context, items []Sent, now time.Time) ([]bool, error) {
	checked := make([]Sent, len(items))
	var problems []string
	for i, v := range items {
		c, p := checkSent(v, now, s.opts.Retention.Sent)
		if len(p) > 0 && len(items) > 1 {
			p = []string{fmt.Sprintf("item %d: %s", i, strings.Join(p, ", "))}
		}
		problems = append(problems, p...)
		checked[i] = c
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrInvalidSent, strings.Join(problems, "; "))
	}
	added := make([]bool, len(items))
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("suppression: add sent: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var reused []string
	for i, v := range checked {
		hour := s.tv(v.At.Truncate(time.Hour))
		if v.ID != "" {
			fresh, differs, err := s.claimSentID(ctx, tx, v, !items[i].At.IsZero(), now)
			if err != nil {
				return nil, err
			}
			if differs != "" && len(items) > 1 {
				differs = fmt.Sprintf("item %d: %s", i, differs)
			}
			if differs != "" {
				reused = append(reused, differs)
			}
			if !fresh {
				continue // recorded before (the same count, or refused below)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(sentAddSQL), v.Stream, hour, v.Count); err != nil {
			return nil, fmt.Errorf("suppression: add sent: %w", err)
		}
		added[i] = true
	}
	if len(reused) > 0 {
		return nil, inputErrorf(ErrSentIDReused, "%s", strings.Join(reused, "; "))
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("suppression: add sent: commit: %w", err)
	}
	return added, nil
}

const sentHoursSQL = `SELECT stream, hour, count FROM sent_counts WHERE hour >= ? AND hour < ? ORDER BY hour, stream`

// SentHours returns the counts of every stream for the hours in [from, to),
// oldest first.
func (s *Store) SentHours(ctx context.Context, from, to time.Time) ([]SentHour, error) {
	out, err := scanAll(ctx, s.rdb, func(h *SentHour) []any {
		return []any{&h.Stream, timeInto{&h.Hour}, &h.Count}
	}, s.q(sentHoursSQL), s.tv(from), s.tv(to))
	if err != nil {
		return nil, fmt.Errorf("suppression: sent hours: %w", err)
	}
	return out, nil
}
