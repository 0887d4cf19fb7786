//go:build unix

package dashboard

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// BenchmarkScale loads a Postgres list with COPY (BOUNCER_BENCH_ENTRIES
// entries, default 1,000,000; BOUNCER_BENCH_EVENTS events over 365 days,
// default 10,000,000) and measures the dashboard over HTTP: list pages,
// searches and address pages (p50/p95 of 60 requests each), the 90-day
// overview, and the streamed export (rows/s and the heap it grows by).
// With BOUNCER_BENCH_DATABASE_URL it uses that database instead of a fresh
// one, migrating it and loading it only when its list is empty, and keeps
// it: a second run measures without loading again.
//
//	go test ./internal/dashboard -run '^$' -bench Scale -benchtime 1x -timeout 2h
func BenchmarkScale(b *testing.B) {
	entries, events := envInt(b, "BOUNCER_BENCH_ENTRIES", 1_000_000), envInt(b, "BOUNCER_BENCH_EVENTS", 10_000_000)
	dbURL := os.Getenv("BOUNCER_BENCH_DATABASE_URL")
	if dbURL == "" {
		dbURL = testenv.PostgresURL(b)
	}
	ctx := context.Background()
	opened := time.Now()
	s, err := suppression.Open(ctx, dbURL, suppression.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.Logf("opened the store, migrations included, in %v", time.Since(opened).Round(time.Millisecond))
	if have := rowCount(b, dbURL, "suppressions"); have == 0 {
		start := time.Now()
		load(b, dbURL, entries, events)
		b.Logf("loaded %d entries and %d events with COPY in %v", entries, events, time.Since(start).Round(time.Second))
	} else {
		entries = have
		b.Logf("using the %d entries and %d events already loaded", entries, rowCount(b, dbURL, "bounce_events"))
	}
	vacuum(b, dbURL)
	h, err := New(s, Options{Now: func() time.Time { return benchNow }})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	br := &benchClient{b: b, base: srv.URL}
	br.signIn()
	rng := rand.New(rand.NewPCG(1, 2))
	addr := func() string { return benchAddr(rng.IntN(entries)) }
	b.ResetTimer()
	for range b.N {
		br.measure("list page (suppressed, by address, after a random address)", func() string {
			return "/ui/suppressions?cursor=" + cursorAfter(addr())
		})
		br.measure("list page (any state, newest failure first)", func() string {
			return "/ui/suppressions?state=any&sort=last_seen&desc=true"
		})
		br.measure("list page (failing, class soft)", func() string { return "/ui/suppressions?state=failing&class=soft" })
		br.measure("search address prefix", func() string { return "/ui/suppressions?state=any&q=" + addr()[:7] })
		br.measure("search substring", func() string {
			return "/ui/suppressions?state=any&contains=true&q=" + strconv.Itoa(10000+rng.IntN(89999))
		})
		br.measure("search domain prefix", func() string { return "/ui/suppressions?state=any&q=@d" + strconv.Itoa(rng.IntN(500)) })
		br.measure("address page", func() string { return "/ui/address?email=" + url.QueryEscape(addr()) })
		br.measureN("overview 90 days", 10, func() string { return "/ui/?days=90" })
		exportRate(b, s)
	}
}

// benchNow is the bench's clock: events span the 365 days before it.
var benchNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func envInt(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}

// benchAddr is the i-th address: 5,000 domains, a few of them large.
func benchAddr(i int) string {
	d := i % 5000
	if i%4 == 0 {
		d = i % 7 // seven big mailbox providers hold a quarter of the list
	}
	return fmt.Sprintf("u%07d@d%d.example", i, d)
}

// cursorAfter writes the keyset cursor of List's address order (see
// suppression.cursor) that continues after email.
func cursorAfter(email string) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, `{"s":"","e":%q}`, email))
}

var (
	classes = []string{"hard", "soft", "soft", "block", "complaint", "ignore"}
	reasons = map[string]string{"hard": "userunknown", "soft": "mailboxfull", "block": "blocked", "complaint": "feedback", "ignore": "autoreply"}
	diags   = map[string]string{"hard": "550 5.1.1 user unknown", "soft": "452 4.2.2 mailbox full",
		"block": "554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org", "complaint": "", "ignore": ""}
)

// load fills suppressions and bounce_events with COPY, then analyses them.
func load(b *testing.B, dbURL string, entries, events int) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	span := int64(365 * 24 * time.Hour)
	at := func() time.Time { return benchNow.Add(-time.Duration(rng.Int64N(span))) }
	copyRows(b, db, "suppressions", []string{"email", "domain", "hard_count", "soft_count", "block_count", "complaint_count",
		"first_seen", "last_seen", "last_class", "last_reason", "last_status", "last_diagnostic", "suppressed", "suppressed_at",
		"suppressed_reason", "source"}, entries, func(i int) []any {
		email := benchAddr(i)
		class := classes[i%len(classes)]
		last := at()
		suppressed := class == "hard" || class == "complaint" || i%3 == 0
		var supAt any
		if suppressed {
			supAt = last
		}
		return []any{email, email[len("u0000000@"):], i % 2, i % 4, i % 3 / 2, btoi(class == "complaint"), last.Add(-time.Hour), last,
			class, reasons[class], "5.1.1", diags[class], suppressed, supAt, reasons[class], "bounce"}
	})
	copyRows(b, db, "bounce_events", []string{"received_at", "mailbox", "message_key", "recipient", "domain", "class", "reason",
		"status", "diagnostic", "remote_mta", "reporting_mta"}, events, func(i int) []any {
		email := benchAddr(rng.IntN(entries))
		class := classes[rng.IntN(len(classes))]
		return []any{at(), "bounces", fmt.Sprintf("%064x", i), email, email[len("u0000000@"):], class, reasons[class], "5.1.1",
			diags[class], fmt.Sprintf("mx%d.receiver.example", rng.IntN(200)), "mx.example.net"}
	})
	start := time.Now()
	if _, err := db.Exec(backfill(b)); err != nil {
		b.Fatal(err)
	}
	b.Logf("daily_counts filled from the events by migration 00052's statements in %v", time.Since(start).Round(time.Second))
	if _, err := db.Exec(`ANALYZE suppressions; ANALYZE bounce_events`); err != nil {
		b.Fatal(err)
	}
}

// vacuum marks the pages of daily_counts and suppressions all-visible, as
// autovacuum does some time after an upgrade or a load fills them, so
// index-only reads (sums of a key, counts of a domain range) stay in the
// index.
func vacuum(b *testing.B, dbURL string) {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	for _, table := range []string{"daily_counts", "suppressions"} {
		if _, err := db.Exec(`VACUUM ANALYZE ` + table); err != nil {
			b.Fatal(err)
		}
	}
}

// backfill returns the statements with which migration 00052 fills
// daily_counts from the events and entries: COPY, like an upgrade,
// bypasses Record.
func backfill(b *testing.B) string {
	m, err := os.ReadFile("../../migrations/postgres/00052_daily_counts.sql")
	if err != nil {
		b.Fatal(err)
	}
	up, _, _ := strings.Cut(string(m), "-- +goose Down")
	i := strings.Index(up, "INSERT INTO daily_counts")
	if i < 0 {
		b.Fatal("00052 has no INSERT INTO daily_counts")
	}
	return up[i:]
}

// rowCount returns the number of rows of table.
func rowCount(b *testing.B, dbURL, table string) int {
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}

// copyRows COPYs n rows made by row into table, in one transaction.
func copyRows(b *testing.B, db *sql.DB, table string, cols []string, n int, row func(int) []any) {
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()                                                                       //nolint:errcheck // a no-op after Commit
	st, err := tx.Prepare("COPY " + table + " (" + strings.Join(cols, ", ") + ") FROM STDIN") // lib/pq's COPY
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := st.Exec(row(i)...); err != nil {
			b.Fatalf("copy %s row %d: %v", table, i, err)
		}
	}
	if _, err := st.Exec(); err != nil {
		b.Fatalf("copy %s: %v", table, err)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// benchClient is a signed-in HTTP client that times pages.
type benchClient struct {
	b      *testing.B
	base   string
	cookie *http.Cookie
}

func (c *benchClient) signIn() {
	once := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := once.Get(c.base + "/ui/login") // no token configured: an admin session at once
	if err != nil {
		c.b.Fatal(err)
	}
	resp.Body.Close()
	for _, k := range resp.Cookies() {
		if k.Name == sessionCookie {
			c.cookie = k
		}
	}
	if c.cookie == nil {
		c.b.Fatal("no session cookie")
	}
}

func (c *benchClient) get(path string) time.Duration {
	req, _ := http.NewRequest("GET", c.base+path, nil)
	req.AddCookie(c.cookie)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // timing only
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 {
		c.b.Fatalf("GET %s = %d", path, resp.StatusCode)
	}
	return d
}

func (c *benchClient) measure(name string, path func() string) { c.measureN(name, 60, path) }

// measureN requests n pages (after one unmeasured warm-up) and reports
// their p50 and p95.
func (c *benchClient) measureN(name string, n int, path func() string) {
	c.get(path())
	ds := make([]time.Duration, n)
	for i := range ds {
		ds[i] = c.get(path())
	}
	slices.Sort(ds)
	p50, p95 := ds[n/2], ds[(n*95+99)/100-1]
	c.b.Logf("%-62s p50 %6.1f ms  p95 %6.1f ms", name, ms(p50), ms(p95))
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// exportRate streams every entry as CSV and reports rows/s and how far the
// heap grew while it ran (sampled every 10 ms).
func exportRate(b *testing.B, s *suppression.Store) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	start, cpu := time.Now(), cpuTime(b)
	n, err := s.Export(context.Background(), io.Discard, suppression.FormatBouncer, suppression.Filter{State: suppression.StateAny}, benchNow)
	close(done)
	if err != nil {
		b.Fatal(err)
	}
	el, cpu := time.Since(start), cpuTime(b)-cpu
	grew := int64(peak.Load()) - int64(before.HeapInuse)
	b.Logf("export: %d rows in %v = %.0f rows/s, %.0f rows per CPU-second of this process; heap in use grew by at most %.1f MiB",
		n, el.Round(time.Millisecond), float64(n)/el.Seconds(), float64(n)/cpu.Seconds(), float64(grew)/(1<<20))
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
