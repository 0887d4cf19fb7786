package suppression

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// This file holds the bookkeeping of package notify: the report_runs table
// (one row per report day, so the daily report goes out once across
// replicas and restarts) and the alerts table (when each alert was last
// sent, for rate limiting). Schema: migrations/*/00010_report_runs.sql.

// Report run states.
const (
	RunSending = "sending"
	RunSent    = "sent"
	RunFailed  = "failed"
)

// ReportRun is one day's report.
type ReportRun struct {
	Day       string    // the report's day in its time zone, "2026-11-25"
	Status    string    // RunSending, RunSent or RunFailed
	Attempts  int       // claims so far
	StartedAt time.Time // when the last attempt started
	SentAt    time.Time // zero until sent
	Late      bool      // sent after its scheduled time
	MessageID string    // the sent message's Message-ID
	Error     string    // why the last attempt failed
}

// claimRunSQL inserts the day as sending, or takes over a failed attempt or
// one left sending for longer than staleAfter; a sent day is never claimed.
const claimRunSQL = `INSERT INTO report_runs (report_date, status, attempts, started_at) VALUES (?, 'sending', 1, ?)
ON CONFLICT (report_date) DO UPDATE SET status = 'sending', attempts = report_runs.attempts + 1,
  started_at = excluded.started_at, error = ''
WHERE report_runs.status = 'failed' OR (report_runs.status = 'sending' AND report_runs.started_at < ?)
RETURNING report_date`

// ClaimReportRun marks day's report as being sent by the caller, in one
// statement. It returns false when the day is sent, or is being sent by an
// attempt that started less than staleAfter before now.
func (s *Store) ClaimReportRun(ctx context.Context, day string, now time.Time, staleAfter time.Duration) (bool, error) {
	var got string
	err := s.db.QueryRowxContext(ctx, s.q(claimRunSQL), day, s.tv(now), s.tv(now.Add(-staleAfter))).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("suppression: claim report %s: %w", day, err)
	}
	return true, nil
}

const finishRunSQL = `INSERT INTO report_runs (report_date, status, attempts, started_at, sent_at, late, message_id, error)
VALUES (?, ?, 1, ?, ?, ?, ?, ?)
ON CONFLICT (report_date) DO UPDATE SET status = excluded.status, sent_at = excluded.sent_at,
  late = excluded.late, message_id = excluded.message_id, error = excluded.error`

// FinishReportRun records the outcome of an attempt (run.Status sent or
// failed), creating the row when the report was sent without a claim
// (bouncer report send). Idempotent.
func (s *Store) FinishReportRun(ctx context.Context, run ReportRun) error {
	var sent *time.Time
	if !run.SentAt.IsZero() {
		sent = &run.SentAt
	}
	_, err := s.db.ExecContext(ctx, s.q(finishRunSQL), run.Day, run.Status, s.tv(run.StartedAt), s.tvp(sent), run.Late, run.MessageID, run.Error)
	if err != nil {
		return fmt.Errorf("suppression: finish report %s: %w", run.Day, err)
	}
	return nil
}

const (
	runColumns = `SELECT report_date, status, attempts, started_at, sent_at, late, message_id, error FROM report_runs`
	lastRunSQL = runColumns + ` ORDER BY report_date DESC LIMIT 1`
	dayRunSQL  = runColumns + ` WHERE report_date = ?`
)

// LastReportRun returns the run of the latest report day, whatever its
// status; ok is false when no report was ever attempted.
func (s *Store) LastReportRun(ctx context.Context) (ReportRun, bool, error) {
	r, ok, err := s.reportRun(ctx, lastRunSQL)
	if err != nil {
		return r, false, fmt.Errorf("suppression: last report run: %w", err)
	}
	return r, ok, nil
}

// ReportRun returns day's run; ok is false when none was attempted.
func (s *Store) ReportRun(ctx context.Context, day string) (ReportRun, bool, error) {
	r, ok, err := s.reportRun(ctx, s.q(dayRunSQL), day)
	if err != nil {
		return r, false, fmt.Errorf("suppression: report run %s: %w", day, err)
	}
	return r, ok, nil
}

func (s *Store) reportRun(ctx context.Context, query string, args ...any) (ReportRun, bool, error) {
	var r ReportRun
	var started, sent dbTime
	err := s.rdb.QueryRowxContext(ctx, query, args...).Scan(&r.Day, &r.Status, &r.Attempts, &started, &sent, &r.Late, &r.MessageID, &r.Error)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.StartedAt, r.SentAt = started.Time, sent.Time
	return r, true, nil
}

// claimAlertSQL records a send of the alert unless one was recorded after
// the cut-off (now minus the interval).
const claimAlertSQL = `INSERT INTO alerts (alert_key, last_sent_at, sent_count) VALUES (?, ?, 1)
ON CONFLICT (alert_key) DO UPDATE SET previous_sent_at = alerts.last_sent_at,
  last_sent_at = excluded.last_sent_at, sent_count = alerts.sent_count + 1
WHERE alerts.last_sent_at <= ?
RETURNING alert_key`

// ClaimAlert returns true, recording now, when the alert key was not sent in
// the interval every before now. One statement: of several replicas
// claiming at once, one wins.
func (s *Store) ClaimAlert(ctx context.Context, key string, now time.Time, every time.Duration) (bool, error) {
	now = now.Truncate(time.Millisecond)
	var got string
	err := s.db.QueryRowxContext(ctx, s.q(claimAlertSQL), key, s.tv(now), s.tv(now.Add(-every))).Scan(&got)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("suppression: claim alert %s: %w", key, err)
	}
	return true, nil
}

const (
	releaseFirstAlertSQL = `DELETE FROM alerts WHERE alert_key = ? AND last_sent_at = ? AND previous_sent_at IS NULL`
	releaseAlertSQL      = `UPDATE alerts SET last_sent_at = previous_sent_at, previous_sent_at = NULL, sent_count = sent_count - 1
WHERE alert_key = ? AND last_sent_at = ? AND previous_sent_at IS NOT NULL`
)

// ReleaseAlert undoes the claim ClaimAlert made at now (the alert could not
// be sent), so the next check tries again. It leaves a later claim alone.
func (s *Store) ReleaseAlert(ctx context.Context, key string, now time.Time) error {
	at := s.tv(now.Truncate(time.Millisecond))
	for _, query := range []string{releaseFirstAlertSQL, releaseAlertSQL} {
		if _, err := s.db.ExecContext(ctx, s.q(query), key, at); err != nil {
			return fmt.Errorf("suppression: release alert %s: %w", key, err)
		}
	}
	return nil
}
