package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

func TestReportDelivered(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		seedDay(t, s)
		srv := startSMTP(t, TLSStartTLS, "reporter", "s3cret")
		n := newTestNotifier(t, s, srv)
		now := dueAt.Add(30 * time.Second)
		out, err := n.Tick(context.Background(), now)
		if err != nil || out != Sent {
			t.Fatalf("Tick = %q, %v; want sent", out, err)
		}
		msg := only(t, srv)
		if msg.From != "reports@bouncer.test" || strings.Join(msg.To, " ") != "admin@bouncer.test ops@bouncer.test" {
			t.Errorf("envelope from %q to %q", msg.From, msg.To)
		}
		m := parseMail(t, msg.Data)
		subject, _ := m.Header.Subject()
		date, _ := m.Header.Date()
		id, _ := m.Header.MessageID()
		if want := "[bouncer] 2026-11-24: 2 newly suppressed, 4 bounces, 1 complaint"; subject != want {
			t.Errorf("Subject = %q, want %q", subject, want)
		}
		if !date.Equal(now) || id != "report-1@bouncer.test" || m.Header.Get("Auto-Submitted") != "auto-generated" {
			t.Errorf("Date %v, Message-ID %q, Auto-Submitted %q; want %v, report-1@bouncer.test, auto-generated", date, id, m.Header.Get("Auto-Submitted"), now)
		}
		wantTypes := "multipart/mixed multipart/alternative text/plain text/html text/csv"
		if got := strings.Join(m.Types, " "); got != wantTypes {
			t.Errorf("MIME structure %q, want %q", got, wantTypes)
		}
		for _, want := range []string{
			"Messages processed                       5           1        +4        0.3",
			"Hard bounces                             1           1         0        0.3",
			"Blocks                                   2           0        +2        0.0",
			"Newly suppressed                         2           1        +1        0.3",
			"! outlook.com is refusing much of our mail: 2 of its 2 bounces (100%)",
			"  a@example.com  userunknown 5.1.1",
			"  outlook.com                                    2 of 2 bounces (100%)", "      citing Microsoft, Spamhaus",
			"  arf.mail.yahoo.com (abuse)",
			"MESSAGES LEFT FOR A PERSON: 1", "  could not be parsed: 1",
			"bounces  Re: your invoice",
			"bounces: last successful poll 2026-11-24 23:00 UTC", "      0 consecutive failures, 4 waiting",
		} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("text part lacks %q:\n%s", want, m.Text)
			}
		}
		if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("HTML part does not escape the hostile diagnostic")
		}
		csv := m.Attachments["newly-suppressed-2026-11-24.csv"]
		wantCSV := "email,domain,suppressed_at,suppressed_reason,last_class,last_status,last_diagnostic,source\r\n" +
			"a@example.com,example.com,2026-11-24T09:00:00Z,userunknown,hard,5.1.1,\"550 5.7.1 <script>alert(\"\"x\"\")</script> blocked using zen.spamhaus.org\",bounce\r\n" +
			"e@yahoo.com,yahoo.com,2026-11-24T12:00:00Z,feedback,complaint,,,complaint\r\n"
		if csv != wantCSV {
			t.Errorf("CSV attachment = %q, want %q", csv, wantCSV)
		}
		if out, err := n.Tick(context.Background(), now.Add(time.Hour)); err != nil || out != AlreadySent {
			t.Errorf("second Tick = %q, %v; want already_sent", out, err)
		}
		if got := len(srv.messages()); got != 1 {
			t.Errorf("server received %d messages after a second Tick, want 1", got)
		}
	})
}

// TestSchedulersRace runs two replicas (two stores on one Postgres
// database) ticking at the same moment, day after day: each day goes out
// once.
func TestSchedulersRace(t *testing.T) {
	url := testenv.PostgresURL(t)
	srv := startSMTP(t, TLSNone, "", "")
	race(t, srv, newTestNotifier(t, openURL(t, url), srv), newTestNotifier(t, openURL(t, url), srv))
}

// TestSchedulersRaceSQLite is the same with two schedulers in one process
// sharing the embedded store.
func TestSchedulersRaceSQLite(t *testing.T) {
	s := openStore(t, "sqlite")
	srv := startSMTP(t, TLSNone, "", "")
	race(t, srv, newTestNotifier(t, s, srv), newTestNotifier(t, s, srv))
}

func race(t *testing.T, srv *smtpServer, replicas ...*Notifier) {
	t.Helper()
	for _, n := range replicas {
		n.sender = NewMailer(srv.options(TLSNone))
	}
	const days = 5
	for d := range days {
		now := dueAt.AddDate(0, 0, d).Add(time.Second)
		outs := make([]Outcome, len(replicas))
		errs := make([]error, len(replicas))
		var wg sync.WaitGroup
		for i, n := range replicas {
			wg.Go(func() { outs[i], errs[i] = n.Tick(context.Background(), now) })
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatalf("day %d: %v", d, err)
		}
		sent := 0
		for _, o := range outs {
			if o == Sent {
				sent++
			}
		}
		if sent != 1 {
			t.Errorf("day %d: outcomes %v, want exactly one sent", d, outs)
		}
	}
	if got := len(srv.messages()); got != days {
		t.Errorf("server received %d reports for %d days, want %d", got, days, days)
	}
}

func TestLateReportAtStartup(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		n, srv := plainNotifier(t, s)
		ctx := context.Background()
		startup := dueAt.Add(3 * time.Hour)

		// A fresh database: nothing was missed, the schedule starts tomorrow.
		if out, err := n.Tick(ctx, startup); err != nil || out != NotDue {
			t.Fatalf("Tick on a fresh database = %q, %v; want not_due", out, err)
		}
		// The daemon sent the day before's report, then was down at 08:00.
		prev := suppression.ReportRun{Day: "2026-11-23", Status: suppression.RunSent, StartedAt: dueAt.AddDate(0, 0, -1), SentAt: dueAt.AddDate(0, 0, -1)}
		if err := s.FinishReportRun(ctx, prev); err != nil {
			t.Fatal(err)
		}
		if out, err := n.Tick(ctx, startup); err != nil || out != Sent {
			t.Fatalf("Tick at start-up after a missed run = %q, %v; want sent", out, err)
		}
		m := parseMail(t, only(t, srv).Data)
		subject, _ := m.Header.Subject()
		if !strings.HasSuffix(subject, "(late)") || !strings.Contains(m.Text, "This report is late: it was due at 2026-11-25 08:00 UTC") ||
			!strings.Contains(m.HTML, "This report is late") {
			t.Errorf("late report: Subject %q, text:\n%s", subject, m.Text)
		}
		last, _, err := s.LastReportRun(ctx)
		if err != nil || last.Day != "2026-11-24" || !last.Late || last.Status != suppression.RunSent {
			t.Errorf("LastReportRun = %+v, %v; want 2026-11-24 sent late", last, err)
		}
	})
}

func TestFailedReportRetried(t *testing.T) {
	s := openStore(t, "sqlite")
	srv := startSMTP(t, TLSNone, "", "")
	srv.reject(&smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "insufficient storage"})
	n := newTestNotifier(t, s, srv)
	n.sender = NewMailer(srv.options(TLSNone))
	ctx := context.Background()
	sent, failed := testutil.ToFloat64(reportsTotal.WithLabelValues("sent")), testutil.ToFloat64(reportsTotal.WithLabelValues("failed"))
	if out, err := n.Tick(ctx, dueAt); err == nil || !strings.Contains(err.Error(), "452") {
		t.Fatalf("Tick with a refusing server = %q, %v; want the 452 error", out, err)
	}
	last, _, err := s.LastReportRun(ctx)
	if err != nil || last.Status != suppression.RunFailed || !strings.Contains(last.Error, "insufficient storage") {
		t.Fatalf("LastReportRun = %+v, %v; want failed with the server's reason", last, err)
	}
	srv.reject(nil)
	if out, err := n.Tick(ctx, dueAt.Add(time.Hour)); err != nil || out != Sent {
		t.Fatalf("retry = %q, %v; want sent", out, err)
	}
	if last, _, _ := s.LastReportRun(ctx); last.Attempts != 2 || !last.Late {
		t.Errorf("LastReportRun = %+v; want sent late on attempt 2", last)
	}
	sent = testutil.ToFloat64(reportsTotal.WithLabelValues("sent")) - sent
	if failed = testutil.ToFloat64(reportsTotal.WithLabelValues("failed")) - failed; sent != 1 || failed != 1 {
		t.Errorf("bouncer_reports_total rose by sent %g, failed %g; want 1, 1", sent, failed)
	}
}

func TestSendReportRecordsRun(t *testing.T) {
	s := openStore(t, "sqlite")
	seedDay(t, s)
	n, srv := plainNotifier(t, s)
	ctx := context.Background()
	id, err := n.SendReport(ctx, reportDay.Add(15*time.Hour), dueAt.Add(-time.Hour))
	if err != nil || id != "report-1@bouncer.test" {
		t.Fatalf("SendReport = %q, %v", id, err)
	}
	if out, err := n.Tick(ctx, dueAt); err != nil || out != AlreadySent {
		t.Errorf("Tick after a manual send = %q, %v; want already_sent", out, err)
	}
	// A later day sent by hand does not hide the due one, nor make it look busy.
	if _, err := n.SendReport(ctx, dueAt, dueAt.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	if out, err := n.Tick(ctx, dueAt.Add(time.Minute)); err != nil || out != AlreadySent {
		t.Errorf("Tick with a later day sent = %q, %v; want already_sent", out, err)
	}
	if got := len(srv.messages()); got != 2 {
		t.Errorf("server received %d messages, want 2 (the two sent by hand)", got)
	}
}

// TestSendReportDayNotOver: a day not over in the report's time zone is
// refused by SendReport (nothing sent, nothing recorded), a future one by
// both sends; SendPartialReport sends today's figures so far without
// recording the day, so the scheduled, complete report still goes out.
func TestSendReportDayNotOver(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		seedDay(t, s)
		n, srv := plainNotifier(t, s)
		ctx := context.Background()
		now := reportDay.Add(15*time.Hour + 20*time.Minute) // 2026-11-24 15:20 UTC
		_, err := n.SendReport(ctx, reportDay, now)
		var dno *DayNotOverError
		if want := "notify: 2026-11-24 is not over yet in UTC: it ends 2026-11-25 00:00 UTC, in 8h40m"; !errors.As(err, &dno) || err.Error() != want {
			t.Errorf("SendReport(today) = %v, want %q", err, want)
		}
		future := reportDay.AddDate(0, 0, 2)
		for _, send := range []func(context.Context, time.Time, time.Time) (string, error){n.SendReport, n.SendPartialReport} {
			_, err = send(ctx, future, now)
			if want := "notify: 2026-11-26 has not begun in UTC (it begins 2026-11-26 00:00 UTC, in 32h40m): there is nothing to report yet"; !errors.As(err, &dno) || !dno.Future() || err.Error() != want {
				t.Errorf("send(a future day) = %v, want %q", err, want)
			}
		}
		if got := len(srv.messages()); got != 0 {
			t.Fatalf("server received %d messages after the refusals, want 0", got)
		}
		if _, err := n.SendPartialReport(ctx, reportDay, now); err != nil {
			t.Fatalf("SendPartialReport(today) = %v", err)
		}
		if run, ok, err := s.ReportRun(ctx, "2026-11-24"); err != nil || ok {
			t.Errorf("ReportRun(2026-11-24) after a partial send = %+v, %v, %v; want none", run, ok, err)
		}
		if out, err := n.Tick(ctx, dueAt); err != nil || out != Sent {
			t.Errorf("Tick at the day's scheduled time after a partial send = %q, %v; want sent", out, err)
		}
		if run, ok, err := s.ReportRun(ctx, "2026-11-24"); err != nil || !ok || run.Status != suppression.RunSent {
			t.Errorf("ReportRun(2026-11-24) after the scheduled send = %+v, %v, %v; want sent", run, ok, err)
		}
		if got := len(srv.messages()); got != 2 {
			t.Errorf("server received %d messages, want 2 (the partial one and the scheduled one)", got)
		}
	})
}

// TestCheckDayOver: the day ends at local midnight of the report's zone,
// 23 or 25 hours after it began on a DST day.
func TestCheckDayOver(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	day := time.Date(2026, 10, 25, 0, 0, 0, 0, paris) // 25 hours long: CEST ends
	tests := []struct {
		now  time.Time
		over bool
	}{
		{time.Date(2026, 10, 25, 22, 59, 0, 0, time.UTC), false}, // 23:59 CET
		{time.Date(2026, 10, 25, 23, 0, 0, 0, time.UTC), true},   // midnight CET
	}
	for _, tt := range tests {
		if err := CheckDayOver(day, tt.now, paris); (err == nil) != tt.over {
			t.Errorf("CheckDayOver(2026-10-25 Paris, %v) = %v, want over %v", tt.now, err, tt.over)
		}
	}
	err = CheckDayOver(day, time.Date(2026, 10, 25, 22, 59, 30, 0, time.UTC), paris)
	if want := "notify: 2026-10-25 is not over yet in Europe/Paris: it ends 2026-10-26 00:00 CET, in under a minute"; err == nil || err.Error() != want {
		t.Errorf("CheckDayOver 30 s before the end = %v, want %q", err, want)
	}
}

// TestCheckDayOverSkippedMidnight: in America/Santiago 2026-09-06 begins at
// 01:00 (the clocks skip midnight); asked for by its start or by an instant
// in it, it is that day, not 5 September, and it is over at its end.
func TestCheckDayOverSkippedMidnight(t *testing.T) {
	scl := loadZone(t, "America/Santiago")
	for _, day := range []time.Time{
		time.Date(2026, 9, 6, 1, 0, 0, 0, scl),
		time.Date(2026, 9, 6, 18, 0, 0, 0, scl),
	} {
		err := CheckDayOver(day, time.Date(2026, 9, 6, 15, 0, 0, 0, time.UTC), scl)
		if want := "notify: 2026-09-06 is not over yet in America/Santiago: it ends 2026-09-07 00:00 -03, in 12h"; err == nil || err.Error() != want {
			t.Errorf("CheckDayOver(%v) at noon = %v, want %q", day, err, want)
		}
		if err := CheckDayOver(day, time.Date(2026, 9, 7, 3, 0, 0, 0, time.UTC), scl); err != nil {
			t.Errorf("CheckDayOver(%v) at its end = %v, want over", day, err)
		}
	}
	// 5 September ends where the 6th begins, at 01:00 -03, 24 hours long.
	err := CheckDayOver(time.Date(2026, 9, 5, 12, 0, 0, 0, scl), time.Date(2026, 9, 6, 3, 59, 0, 0, time.UTC), scl)
	if want := "notify: 2026-09-05 is not over yet in America/Santiago: it ends 2026-09-06 01:00 -03, in 1m"; err == nil || err.Error() != want {
		t.Errorf("CheckDayOver(2026-09-05) a minute before its end = %v, want %q", err, want)
	}
}

func loadZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	return loc
}

// TestScheduleDaysAcrossTransitions: run after run of a daily schedule, the
// day reported is the one after the last, never skipped or repeated, across
// the zones' spring and autumn transitions (at midnight in Santiago, Havana
// and Beirut).
func TestScheduleDaysAcrossTransitions(t *testing.T) {
	for _, c := range []struct {
		zone, spec string
		from, to   string // the transitions fall between
	}{
		{"America/Santiago", "0 7 * * *", "2026-09-01", "2026-09-12"},
		{"America/Santiago", "0 0 * * *", "2026-09-01", "2026-09-12"},
		{"America/Santiago", "30 6 * * *", "2026-03-30", "2026-04-10"},
		{"America/Havana", "0 7 * * *", "2026-03-03", "2026-03-12"},
		{"America/Havana", "0 0 * * *", "2026-10-28", "2026-11-05"},
		{"Asia/Beirut", "0 7 * * *", "2026-03-25", "2026-04-02"},
		{"Asia/Beirut", "0 7 * * *", "2026-10-20", "2026-10-29"},
		{"Europe/London", "0 7 * * *", "2026-03-26", "2026-04-01"},
		{"Europe/London", "30 1 * * *", "2026-10-22", "2026-10-28"},
		{"UTC", "0 7 * * *", "2026-03-26", "2026-04-01"},
	} {
		loc := loadZone(t, c.zone)
		s, err := parseSchedule(c.spec, loc)
		if err != nil {
			t.Fatal(err)
		}
		from, _ := time.ParseInLocation(time.DateOnly, c.from, loc)
		to, _ := time.ParseInLocation(time.DateOnly, c.to, loc)
		var last string
		for due := s.next(from); due.Before(to); due = s.next(due) {
			day := reportDayFor(due, loc)
			got := day.Format(time.DateOnly)
			if last != "" {
				if next := nextDate(t, last); got != next {
					t.Errorf("%s %q: after %s the run at %v reports %s, want %s", c.zone, c.spec, last, due, got, next)
				}
			}
			if DayOf(day, loc) != day || day.In(loc).Format(time.DateOnly) != got {
				t.Errorf("%s: the day %s does not start at its first instant %v", c.zone, got, day)
			}
			last = got
		}
	}
}

func nextDate(t *testing.T, day string) string {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}

func TestSchedulePrev(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skipf("no tzdata: %v", err)
	}
	s, err := parseSchedule("0 8 * * *", paris)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ now, want time.Time }{
		{time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC), time.Date(2026, 11, 25, 8, 0, 0, 0, paris)},
		{time.Date(2026, 11, 25, 6, 59, 0, 0, time.UTC), time.Date(2026, 11, 24, 8, 0, 0, 0, paris)},
		{time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 8, 0, 0, 0, paris)}, // DST starts that night
	}
	for _, tt := range tests {
		if got := s.prev(tt.now); !got.Equal(tt.want) {
			t.Errorf("prev(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
	if _, err := parseSchedule("every morning", paris); err == nil {
		t.Errorf("parseSchedule(bad) = nil error")
	}
}

// TestLocalisedReportOverSMTP sends a report whose replaced templates are in
// Korean: the Subject travels RFC 2047-encoded and decodes intact.
func TestLocalisedReportOverSMTP(t *testing.T) {
	s := openStore(t, "sqlite")
	seedDay(t, s)
	dir := t.TempDir()
	subject := `[bouncer] {{.Date}} 일일 보고서: 새로 차단된 주소 {{num (.Metric "suppressed").Day}}개`
	if err := os.WriteFile(filepath.Join(dir, SubjectTemplate), []byte(subject), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := startSMTP(t, TLSNone, "", "")
	n := newTestNotifier(t, s, srv)
	n.sender, n.tmpl = NewMailer(srv.options(TLSNone)), loadTestTemplates(t, dir)
	if out, err := n.Tick(context.Background(), dueAt); err != nil || out != Sent {
		t.Fatalf("Tick = %q, %v", out, err)
	}
	raw := only(t, srv).Data
	if !strings.Contains(string(raw), "Subject: =?utf-8?") {
		t.Errorf("Subject is not RFC 2047-encoded:\n%.400s", raw)
	}
	m := parseMail(t, raw)
	got, _ := m.Header.Subject()
	if want := "[bouncer] 2026-11-24 일일 보고서: 새로 차단된 주소 2개"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
}
