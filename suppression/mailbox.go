package suppression

import (
	"context"
	"fmt"
	"time"
)

// PollStatus is the outcome of one poll of one mailbox.
type PollStatus struct {
	Mailbox  string
	At       time.Time     // when the poll started
	Err      string        // why it failed; empty on success (never a secret; stored cleaned of control characters)
	Fetched  int           // messages fetched
	Waiting  int           // messages still in the mailbox afterwards
	Duration time.Duration // how long it took
}

const recordPollSQL = `INSERT INTO mailbox_status (mailbox, last_poll_at, last_success_at, last_failure_at,
  last_error, consecutive_failures, fetched, waiting, duration_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (mailbox) DO UPDATE SET
  last_poll_at = excluded.last_poll_at,
  last_success_at = COALESCE(excluded.last_success_at, mailbox_status.last_success_at),
  last_failure_at = COALESCE(excluded.last_failure_at, mailbox_status.last_failure_at),
  last_error = CASE WHEN excluded.last_failure_at IS NULL THEN mailbox_status.last_error ELSE excluded.last_error END,
  consecutive_failures = CASE WHEN excluded.last_failure_at IS NULL THEN 0 ELSE mailbox_status.consecutive_failures + 1 END,
  fetched = excluded.fetched, waiting = excluded.waiting, duration_ms = excluded.duration_ms`

// maxUnwritten caps the poll outcomes kept while the database is away.
const maxUnwritten = 100

// RecordPoll stores the outcome of a poll in mailbox_status: the time of the
// last success or failure, the last error, and failures in a row (reset by a
// success). An outcome that cannot be written (the database is down: the
// likely reason the poll failed) is kept in memory, up to maxUnwritten, and
// written first by the next RecordPoll that reaches the database, so
// mailbox_status counts the failures of an outage.
func (s *Store) RecordPoll(ctx context.Context, p PollStatus) error {
	s.pollMu.Lock()
	defer s.pollMu.Unlock()
	s.unwritten = append(s.unwritten, p)
	for len(s.unwritten) > 0 {
		if err := s.writePoll(ctx, s.unwritten[0]); err != nil {
			if len(s.unwritten) > maxUnwritten {
				s.unwritten = s.unwritten[len(s.unwritten)-maxUnwritten:]
			}
			return err
		}
		s.unwritten = s.unwritten[1:]
	}
	s.unwritten = nil
	return nil
}

func (s *Store) writePoll(ctx context.Context, p PollStatus) error {
	var ok, failed *time.Time
	failures := 0
	if p.Err == "" {
		ok = &p.At
	} else {
		failed, failures = &p.At, 1
	}
	_, err := s.db.ExecContext(ctx, s.q(recordPollSQL), p.Mailbox, s.tv(p.At), s.tvp(ok), s.tvp(failed),
		clean(p.Err), failures, p.Fetched, p.Waiting, p.Duration.Milliseconds())
	if err != nil {
		return fmt.Errorf("suppression: record poll of %s: %w", p.Mailbox, err)
	}
	return nil
}

// MailboxStatus is a mailbox_status row.
type MailboxStatus struct {
	Mailbox             string        `json:"mailbox"`
	LastPollAt          time.Time     `json:"last_poll_at"`
	LastSuccessAt       *time.Time    `json:"last_success_at"`
	LastFailureAt       *time.Time    `json:"last_failure_at"`
	LastError           string        `json:"last_error"`
	ConsecutiveFailures int           `json:"consecutive_failures"`
	Fetched             int           `json:"fetched"`
	Waiting             int           `json:"waiting"`
	Duration            time.Duration `json:"duration"`
}

// MailboxStatuses returns the poll state of every mailbox polled so far,
// by name.
func (s *Store) MailboxStatuses(ctx context.Context) ([]MailboxStatus, error) {
	var rows []struct {
		Mailbox    string `db:"mailbox"`
		Poll       dbTime `db:"last_poll_at"`
		Success    dbTime `db:"last_success_at"`
		Failure    dbTime `db:"last_failure_at"`
		Err        string `db:"last_error"`
		Failures   int    `db:"consecutive_failures"`
		Fetched    int    `db:"fetched"`
		Waiting    int    `db:"waiting"`
		DurationMS int64  `db:"duration_ms"`
	}
	err := s.rdb.SelectContext(ctx, &rows, `SELECT mailbox, last_poll_at, last_success_at, last_failure_at, last_error,
consecutive_failures, fetched, waiting, duration_ms FROM mailbox_status ORDER BY mailbox`)
	if err != nil {
		return nil, fmt.Errorf("suppression: mailbox status: %w", err)
	}
	out := make([]MailboxStatus, len(rows))
	for i, r := range rows {
		out[i] = MailboxStatus{Mailbox: r.Mailbox, LastPollAt: r.Poll.Time, LastSuccessAt: r.Success.ptr(), LastFailureAt: r.Failure.ptr(),
			LastError: r.Err, ConsecutiveFailures: r.Failures, Fetched: r.Fetched, Waiting: r.Waiting, Duration: time.Duration(r.DurationMS) * time.Millisecond}
	}
	return out, nil
}

// SeenUIDs reports which of the POP3 UIDs of mailbox were marked seen.
func (s *Store) SeenUIDs(ctx context.Context, mailbox string, uids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(uids))
	if len(uids) == 0 {
		return out, nil
	}
	cond, arg := s.inList("uid", uids)
	var seen []string
	if err := s.rdb.SelectContext(ctx, &seen, s.q(`SELECT uid FROM mailbox_seen WHERE mailbox = ? AND `+cond), mailbox, arg); err != nil {
		return nil, fmt.Errorf("suppression: seen uids of %s: %w", mailbox, err)
	}
	for _, u := range seen {
		out[u] = true
	}
	return out, nil
}

// MarkSeen remembers POP3 UIDs of mailbox as handled; marking one twice is
// harmless.
func (s *Store) MarkSeen(ctx context.Context, mailbox string, uids []string, now time.Time) error {
	if len(uids) == 0 {
		return nil
	}
	mb, at := make([]string, len(uids)), make([]time.Time, len(uids))
	for i := range uids {
		mb[i], at[i] = mailbox, now
	}
	b := new(batch).text("mailbox", mb).text("uid", uids).time("seen_at", at)
	src, args := s.source(b)
	q := fmt.Sprintf(`INSERT INTO mailbox_seen (%[1]s) SELECT %[1]s FROM %[2]s WHERE true ON CONFLICT (mailbox, uid) DO NOTHING`, b.columns(), src)
	if _, err := s.db.ExecContext(ctx, s.q(q), args...); err != nil {
		return fmt.Errorf("suppression: mark seen in %s: %w", mailbox, err)
	}
	return nil
}

// ForgetUnlisted deletes the seen UIDs of mailbox that are not in present
// (the messages the server still holds), so the table does not grow
// forever. An empty present forgets every UID of the mailbox.
func (s *Store) ForgetUnlisted(ctx context.Context, mailbox string, present []string) error {
	cond, arg := s.inList("uid", present)
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM mailbox_seen WHERE mailbox = ? AND NOT (`+cond+`)`), mailbox, arg)
	if err != nil {
		return fmt.Errorf("suppression: forget seen uids of %s: %w", mailbox, err)
	}
	return nil
}
