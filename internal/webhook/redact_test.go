package webhook

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/suppression"
)

// A Slack-style endpoint whose path is its secret, refusing connections:
// the failed delivery's last_error, the dispatcher's log and a ping's
// error name scheme://host:port/… and never the path; the cause is kept.
func TestSecretPathNeverInErrors(t *testing.T) {
	dialects(t, appOnly, func(t *testing.T, _ string, s *suppression.Store) {
		const secret = "services/T000/B000/XXXXSECRET"
		target := strings.TrimSuffix(closedURL(t), "/hook") + "/" + secret
		var logs bytes.Buffer
		c := newClock(t0)
		d, err := New(s, []Endpoint{{Name: "app", URL: target, Format: FormatSlack}},
			Options{Now: c.now, RetryMin: time.Minute, RetryMax: time.Hour, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		ctx := asCLI()
		if _, err := s.Add(ctx, "dave@example.com", suppression.Manual{Reason: "asked"}, c.now()); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		ds, err := s.Deliveries(ctx, suppression.DeliveryFilter{})
		if err != nil || len(ds) != 1 {
			t.Fatalf("deliveries = %+v, %v; want the failed one", ds, err)
		}
		redacted := `Post "` + strings.TrimSuffix(target, secret) + `…": dial tcp`
		if !strings.HasPrefix(ds[0].LastError, redacted) || !strings.Contains(ds[0].LastError, "connection refused") || ds[0].LastCause != "connection refused" {
			t.Errorf("last_error = %q (cause %q), want it to start %q and keep the cause", ds[0].LastError, ds[0].LastCause, redacted)
		}
		if !strings.Contains(logs.String(), "connection refused") || strings.Contains(logs.String(), secret) {
			t.Errorf("the log names the secret path, or not the failure:\n%s", logs.String())
		}
		_, err = d.Ping(ctx, "app")
		if err == nil || strings.Contains(err.Error(), secret) || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("Ping = %v, want connection refused without the secret path", err)
		}
	})
}

// A dispatcher that counts a later event on a dead delivery while
// redeliver runs (Postgres: its count's transaction commits after
// redeliver read the row) is not missed: redeliver refuses, and says what
// was counted.
func TestRedeliverRaceWithCount(t *testing.T) {
	url := pgURL(t)
	s := openStore(t, url, appOnly)
	c := newClock(t0)
	d := newDispatcher(t, s, c, Endpoint{Name: "app", URL: closedURL(t), Key: testKey, MaxAge: time.Nanosecond})
	ctx := asCLI()
	if _, err := s.Add(ctx, "dave@example.com", suppression.Manual{Reason: "asked"}, c.now()); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	dead, err := s.Deliveries(ctx, suppression.DeliveryFilter{State: suppression.DeliveryDead})
	if err != nil || len(dead) != 1 || dead[0].LaterSent != 0 {
		t.Fatalf("dead = %+v, %v; want dave@'s, nothing sent after it", dead, err)
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// What a dispatcher's count does (countLater), held uncommitted.
	count, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer count.Rollback() //nolint:errcheck // committed below
	if _, err := count.ExecContext(ctx, `UPDATE webhook_deliveries SET later_sent = later_sent + 1, later_type = 'suppression.removed' WHERE id = $1`, dead[0].ID); err != nil {
		t.Fatal(err)
	}
	type result struct {
		d   suppression.Delivery
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := s.Redeliver(ctx, dead[0].ID, c.now(), false)
		done <- result{d, err}
	}()
	// Redeliver has read the row (later_sent 0: the count is not
	// committed) when it waits for the count's row lock.
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		var waiting int
		if err := db.QueryRowContext(waitCtx, `SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE webhook_deliveries SET state%'`).Scan(&waiting); err != nil {
			t.Fatalf("waiting for redeliver to wait for the count's lock: %v", err)
		}
		if waiting == 1 {
			break
		}
	}
	if err := count.Commit(); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if !errors.Is(r.err, suppression.ErrSuperseded) || r.d.LaterSent != 1 || r.d.LaterType != suppression.EventSuppressionRemoved {
		t.Errorf("redeliver = %+v, %v; want ErrSuperseded with the event counted meanwhile", r.d, r.err)
	}
}
