package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// BenchmarkPollOnce measures `bouncer poll --once` from a Dovecot mailbox
// into Postgres beside the raw IMAP fetch rate of the same mailbox.
// BOUNCER_BENCH_MESSAGES sets the mailbox size (default 2000);
// BOUNCER_BENCH_BIG_MB adds one bounce of that many megabytes.
// scripts/bench-poll runs it with 100,000 messages.
func BenchmarkPollOnce(b *testing.B) {
	n := envInt("BOUNCER_BENCH_MESSAGES", 2000)
	bigMB := envInt("BOUNCER_BENCH_BIG_MB", 0)
	for range b.N {
		b.StopTimer()
		e := newPollEnv(b, envInt("BOUNCER_BENCH_BATCH", 500), imapsBox)
		start := time.Now()
		for i := range n {
			e.dovecot.DeliverMaildir(syntheticBounce(i, 0))
		}
		if bigMB > 0 {
			e.dovecot.DeliverMaildir(syntheticBounce(n, bigMB<<20/50))
		}
		total := n + min(bigMB, 1)
		load := time.Since(start)
		raw := rawFetch(b, e)
		b.StartTimer()
		elapsed, rss := timedPoll(b, e)
		b.StopTimer()
		if got := e.count(b, `SELECT count(*) FROM processed_messages`); got != total {
			b.Fatalf("ledger holds %d messages, want %d", got, total)
		}
		rate := float64(total) / elapsed.Seconds()
		rawRate := float64(total) / raw.Seconds()
		fmt.Printf("messages %d (load by Maildir %.0f/s)\nraw UID FETCH 1:* BODY.PEEK[]: %.0f messages/s\npoll --once end to end: %.0f messages/s (%.0f%% of raw)\npeak RSS of poll --once: %.1f MB\n",
			total, float64(total)/load.Seconds(), rawRate, rate, 100*rate/rawRate, float64(rss)/1024)
		b.ReportMetric(rate, "msgs/s")
		b.ReportMetric(rawRate, "raw_msgs/s")
		b.ReportMetric(float64(rss)/1024, "peak_rss_MB")
	}
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return n
	}
	return def
}

// rawFetch times a plain UID FETCH 1:* BODY.PEEK[] of INBOX, bodies discarded.
func rawFetch(b *testing.B, e *pollEnv) time.Duration {
	d := e.dovecot
	c, err := imapclient.DialTLS(d.Addr(d.IMAPSPort), &imapclient.Options{TLSConfig: d.TLSConfig()})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(d.User, d.Password).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		b.Fatal(err)
	}
	var all imap.UIDSet
	all.AddRange(1, 0)
	start := time.Now()
	cmd := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		for item := m.Next(); item != nil; item = m.Next() {
			if body, ok := item.(imapclient.FetchItemDataBodySection); ok && body.Literal != nil {
				io.Copy(io.Discard, body.Literal)
			}
		}
	}
	if err := cmd.Close(); err != nil {
		b.Fatal(err)
	}
	return time.Since(start)
}

// timedPoll runs the bouncer binary's poll --once and returns its wall time
// and peak resident set size in KiB, as /usr/bin/time reports it. (The
// rusage of a child forked straight from this large test process would
// count the parent's pages it shares before exec.)
func timedPoll(b *testing.B, e *pollEnv) (time.Duration, int64) {
	rssFile := filepath.Join(b.TempDir(), "maxrss")
	cmd := exec.Command("/usr/bin/time", "-f", "%M", "-o", rssFile, bouncerBinary(b), "poll", "--once", "--config", e.config)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	elapsed := time.Since(start)
	if err != nil {
		b.Fatalf("poll --once: %v\n%s", err, out)
	}
	fmt.Print(string(out))
	raw, err := os.ReadFile(rssFile)
	if err != nil {
		b.Fatal(err)
	}
	kib, err := strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
	if err != nil {
		b.Fatalf("/usr/bin/time output %q: %v", raw, err)
	}
	return elapsed, kib
}
