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

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// BenchmarkPollOnce measures `bouncer poll --once` from a Dovecot mailbox
// into Postgres beside the raw IMAP fetch rate of the same mailbox.
// BOUNCER_BENCH_MESSAGES sets the mailbox size (default 2000);
// BOUNCER_BENCH_BIG_MB adds one bounce of that many megabytes;
// BOUNCER_BENCH_BINARY times another build of bouncer (an older commit);
// BOUNCER_BENCH_HOSTILE adds that many hostile DSNs of 1.3 MB, 10,000
// recipients each (hostileDSN). scripts/bench-poll runs it with 100,000
// messages.
func BenchmarkPollOnce(b *testing.B) {
	n := envInt("BOUNCER_BENCH_MESSAGES", 2000)
	bigMB := envInt("BOUNCER_BENCH_BIG_MB", 0)
	hostile := envInt("BOUNCER_BENCH_HOSTILE", 0)
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
		for i := range hostile {
			e.dovecot.DeliverMaildir(hostileDSN(i))
		}
		total := n + min(bigMB, 1) + hostile
		load := time.Since(start)
		raw, rawCPU := rawFetch(b, e)
		before := readServerCPU()
		load1 := loadAvg()
		b.StartTimer()
		elapsed, rss, pollCPU := timedPoll(b, e)
		b.StopTimer()
		after := readServerCPU()
		if got := e.count(b, `SELECT count(*) FROM processed_messages`); got != total {
			b.Fatalf("ledger holds %d messages, want %d", got, total)
		}
		rate := float64(total) / elapsed.Seconds()
		rawRate := float64(total) / raw.Seconds()
		fmt.Printf("messages %d (load by Maildir %.0f/s)\nraw UID FETCH 1:* BODY.PEEK[]: %.0f messages/s\npoll --once end to end: %.0f messages/s (%.0f%% of raw)\npeak RSS of poll --once: %.1f MB\n",
			total, float64(total)/load.Seconds(), rawRate, rate, 100*rate/rawRate, float64(rss)/1024)
		perMsg := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(total) }
		dovecot, postgres := after.dovecot-before.dovecot, after.postgres-before.postgres
		fmt.Printf("CPU µs/message, raw fetch: client %.0f, dovecot %.0f\n", perMsg(rawCPU.client), perMsg(rawCPU.dovecot))
		fmt.Printf("CPU µs/message, poll --once: bouncer %.0f, dovecot %.0f, postgres %.0f, total %.0f; %.2f cores busy; load %s before, %s after\n",
			perMsg(pollCPU), perMsg(dovecot), perMsg(postgres), perMsg(pollCPU+dovecot+postgres),
			(pollCPU+dovecot+postgres).Seconds()/elapsed.Seconds(), load1, loadAvg())
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

// rawCPU is the CPU a raw fetch cost the client (this process) and Dovecot.
type rawCPU struct{ client, dovecot time.Duration }

// rawFetch times a plain UID FETCH 1:* BODY.PEEK[] of INBOX, bodies
// discarded, and measures its CPU.
func rawFetch(b *testing.B, e *pollEnv) (time.Duration, rawCPU) {
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
	before, self := readServerCPU(), testenv.SelfCPU()
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
	elapsed := time.Since(start)
	return elapsed, rawCPU{client: testenv.SelfCPU() - self, dovecot: readServerCPU().dovecot - before.dovecot}
}

// timedPoll runs the bouncer binary's poll --once and returns its wall time,
// peak resident set size in KiB and CPU time, as /usr/bin/time reports them.
// BOUNCER_BENCH_CPUPROFILE names a file for its CPU profile. (The
// rusage of a child forked straight from this large test process would
// count the parent's pages it shares before exec.)
func timedPoll(b *testing.B, e *pollEnv) (time.Duration, int64, time.Duration) {
	rssFile := filepath.Join(b.TempDir(), "maxrss")
	bin := os.Getenv("BOUNCER_BENCH_BINARY") // another build to compare, else this one
	if bin == "" {
		bin = bouncerBinary(b)
	}
	args := []string{"-f", "%M %U %S", "-o", rssFile, bin, "poll", "--once", "--config", e.config}
	if prof := os.Getenv("BOUNCER_BENCH_CPUPROFILE"); prof != "" {
		args = append(args, "--cpuprofile", prof)
	}
	cmd := exec.Command("/usr/bin/time", args...)
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
	var kib int64
	var user, sys float64
	if _, err := fmt.Sscan(string(raw), &kib, &user, &sys); err != nil {
		b.Fatalf("/usr/bin/time output %q: %v", raw, err)
	}
	return elapsed, kib, time.Duration((user + sys) * float64(time.Second))
}

// hostileDSN is a valid DSN of about 1.3 MB listing 10,000 recipients in
// its delivery-status part (the parser reads the first MiB of it and keeps
// 100 records), distinct per n.
func hostileDSN(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: MAILER-DAEMON@mx.example.net\nTo: bounces@example.com\nSubject: Undelivered Mail\n"+
		"Message-ID: <hostile%d@mx.example.net>\nMIME-Version: 1.0\n"+
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"H\"\n\n"+
		"--H\nContent-Type: text/plain\n\nDelivery failed.\n--H\nContent-Type: message/delivery-status\n\n"+
		"Reporting-MTA: dns; mx.example.net\n\n", n)
	for i := range 10000 {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; u%d-%05d@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 no such user\n\n", n, i)
	}
	b.WriteString("--H--\n")
	return []byte(b.String())
}
