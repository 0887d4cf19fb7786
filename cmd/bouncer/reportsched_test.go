package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/notify"
	"github.com/bouncer-mail/bouncer/suppression"
)

// chanSender hands every message to a channel.
type chanSender chan []byte

func (c chanSender) Send(_ context.Context, _ string, _ []string, msg []byte) error {
	c <- msg
	return nil
}

// TestReportLoopSendsMissedRunAtStart starts the loop three hours after a
// scheduled time whose report was never sent: it sends that report at once,
// then waits for the next schedule time until it is stopped.
func TestReportLoopSendsMissedRunAtStart(t *testing.T) {
	ctx := context.Background()
	store := tempStore(t)
	due := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	prev := suppression.ReportRun{Day: "2026-11-23", Status: suppression.RunSent, StartedAt: due.AddDate(0, 0, -1), SentAt: due.AddDate(0, 0, -1)}
	if err := store.FinishReportRun(ctx, prev); err != nil {
		t.Fatal(err)
	}
	tmpl, err := notify.LoadTemplates("")
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chanSender, 4)
	n, err := notify.New(notify.Config{From: "bouncer@x.test", To: []string{"admin@x.test"}, Report: notify.ReportOptions{Location: time.UTC}}, store, sent, tmpl, nil)
	if err != nil {
		t.Fatal(err)
	}
	loopCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	clock := func() time.Time { return due.Add(3 * time.Hour) }
	go func() {
		defer close(done)
		reportLoop(loopCtx, n, clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	<-sent // the missed report, at once
	cancel()
	<-done
	last, _, err := store.LastReportRun(ctx)
	if err != nil || last.Day != "2026-11-24" || !last.Late || last.Status != suppression.RunSent {
		t.Errorf("LastReportRun = %+v, %v; want 2026-11-24 sent late", last, err)
	}
	if len(sent) != 0 {
		t.Errorf("%d more reports sent, want none before the next schedule time", len(sent))
	}
}

func TestStartReportsOnlyWhenConfigured(t *testing.T) {
	ctx := context.Background()
	store := tempStore(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cfg := defaultConfig()
	cfg.Report.Location = time.UTC
	stop, err := startReports(ctx, cfg, store, logger)
	if err != nil || stop != nil {
		t.Fatalf("startReports without report.to or alerts.to = %v, %v; want nothing started", stop != nil, err)
	}
	cfg.Report.From, cfg.Report.To, cfg.Alerts.To = "bouncer@x.test", []string{"admin@x.test"}, []string{"oncall@x.test"}
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS = "127.0.0.1", closedPort(t), "none"
	stop, err = startReports(ctx, cfg, store, logger)
	if err != nil || stop == nil {
		t.Fatalf("startReports = %v, %v; want started", stop != nil, err)
	}
	stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := stop(stopCtx); err != nil {
		t.Errorf("stop: %v", err)
	}
	cfg.Report.TemplateDir = t.TempDir()
	if err := os.WriteFile(filepath.Join(cfg.Report.TemplateDir, notify.TextTemplate), []byte("{{.Nope"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := startReports(ctx, cfg, store, logger); err == nil || !strings.Contains(err.Error(), notify.TextTemplate) {
		t.Errorf("startReports with a broken template = %v, want an error naming %s", err, notify.TextTemplate)
	}
}

// lineWriter hands each log line written to it to a channel.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	w <- string(p)
	return len(p), nil
}

// TestStartReportsLogsAlertSent runs the alert loop as bouncer run does
// against a mailbox that failed three polls in a row: the alert mail goes
// out and the daemon's log says so, naming the alert.
func TestStartReportsLogsAlertSent(t *testing.T) {
	ctx := context.Background()
	store := tempStore(t)
	at := time.Now().Add(-time.Hour)
	for i := range 3 {
		p := suppression.PollStatus{Mailbox: "bounces", At: at.Add(time.Duration(i) * time.Minute), Err: "log in as bounces: imap: NO [AUTHENTICATIONFAILED]"}
		if err := store.RecordPoll(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	sink := startSMTPSink(t)
	lines := make(lineWriter, 16)
	logger := slog.New(slog.NewTextHandler(lines, nil))
	cfg := defaultConfig()
	cfg.Report.Location, cfg.Report.From, cfg.Alerts.To = time.UTC, "bouncer@x.test", []string{"oncall@x.test"}
	cfg.SMTP.Host, cfg.SMTP.Port, cfg.SMTP.TLS = sink.Host, sink.Port, "none"
	stop, err := startReports(ctx, cfg, store, logger)
	if err != nil || stop == nil {
		t.Fatalf("startReports = %v, %v; want started", stop != nil, err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		go func() {
			for range lines { // whatever the loops log while stopping
			}
		}()
		if err := stop(stopCtx); err != nil {
			t.Errorf("stop: %v", err)
		}
	}()
	var seen []string
	timeout := time.After(30 * time.Second)
	for {
		select {
		case l := <-lines:
			if strings.Contains(l, `msg="alert sent" alert=poll_failures:bounces`) {
				if sink.received() != 1 {
					t.Errorf("alert logged as sent, the mail server received %d messages, want 1", sink.received())
				}
				return
			}
			seen = append(seen, l)
		case <-timeout:
			t.Fatalf("no log line alert sent alert=poll_failures:bounces within 30s; the log:\n%s(mail server received %d)", strings.Join(seen, ""), sink.received())
		}
	}
}

// tempStore opens a SQLite store in the test's temporary directory, closed
// when the test ends.
func tempStore(t *testing.T) *suppression.Store {
	t.Helper()
	store, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}
