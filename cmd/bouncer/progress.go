package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/bouncer-mail/bouncer/poller"
)

// progressMin is the size from which a pass reports its progress.
const progressMin = 1000

// newProgress reports the progress of large passes: a redrawn line when w is
// a terminal, else an slog line at most every interval.
func newProgress(w io.Writer, interval time.Duration) poller.Progress {
	f, ok := w.(*os.File)
	if ok && term.IsTerminal(int(f.Fd())) {
		return terminalProgress(w)
	}
	return logProgress(interval, time.Now)
}

func terminalProgress(w io.Writer) poller.Progress {
	return func(p poller.ProgressInfo) {
		if p.Total < progressMin {
			return
		}
		fmt.Fprintf(w, "\r%s: %d/%d (%d%%)", p.Mailbox, p.Done, p.Total, p.Done*100/p.Total)
		if p.Done == p.Total {
			fmt.Fprintln(w)
		}
	}
}

// logProgress logs at most one line per interval per process.
func logProgress(interval time.Duration, now func() time.Time) poller.Progress {
	var mu sync.Mutex
	var last time.Time
	return func(p poller.ProgressInfo) {
		if p.Total < progressMin {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if t := now(); t.Sub(last) >= interval || p.Done == p.Total {
			last = t
			slog.Info("poll progress", slog.String("mailbox", p.Mailbox), slog.Int("done", p.Done), slog.Int("total", p.Total))
		}
	}
}
