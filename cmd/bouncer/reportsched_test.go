package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
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
	store, err := suppression.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
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
