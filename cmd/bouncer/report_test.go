package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// reportConfig writes a config (UTC report, no SMTP) whose SQLite store
// holds a hard bounce for dead@x.test on 2026-11-24.
func reportConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := writeFile(t, "bouncer.yaml", fmt.Sprintf("state_dir: %s\nreport: {timezone: UTC}\n", dir))
	s, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(dir, "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	msg := suppression.Message{Key: "1", Mailbox: "main", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN,
		Recipients: []dsn.Recipient{{FinalRecipient: "dead@x.test", Status: "5.1.1", Diagnostic: "550 <b>no</b>", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}}}}
	if _, err := s.Record(context.Background(), []suppression.Message{msg}, at); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func runReport(t *testing.T, cfg string, args ...string) (string, string, int) {
	t.Helper()
	return runCLI(t, append(append([]string{"report"}, args...), "--config", cfg)...)
}

func TestReportPreview(t *testing.T) {
	cfg := reportConfig(t)
	tests := []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"preview", "--date", "2026-11-24"}, 0, []string{"bouncer failure report for 2026-11-24 (UTC)", "  dead@x.test  userunknown 5.1.1", "Hard bounces                             1"}},
		{[]string{"preview", "--date", "2026-11-24", "--format", "html"}, 0, []string{"<!DOCTYPE html>", "<strong>dead@x.test</strong>", "550 &lt;b&gt;no&lt;/b&gt;"}},
		{[]string{"preview", "--date", "2026-11-24", "--format", "mime"}, 0, []string{"Subject: [bouncer] 2026-11-24: 1 newly suppressed, 1 bounce, 0 complaints", "Content-Type: multipart/mixed", "newly-suppressed-2026-11-24.csv"}},
		{[]string{"preview", "--date", "2026-11-23"}, 0, []string{"NEWLY SUPPRESSED (0)"}},
		{[]string{"preview", "--date", "24.11.2026"}, 2, nil},
		{[]string{"preview", "--format", "pdf"}, 2, nil},
		{[]string{"send", "--date", "2026-11-24"}, exitConfig, nil},
	}
	for _, tt := range tests {
		out, errOut, code := runReport(t, cfg, tt.args...)
		if code != tt.code {
			t.Errorf("report %v: exit %d (%s), want %d", tt.args, code, errOut, tt.code)
		}
		for _, want := range tt.want {
			if !strings.Contains(out, want) {
				t.Errorf("report %v: stdout lacks %q:\n%s", tt.args, want, out)
			}
		}
	}
}

// TestReportSendDayNotOver sends through a real SMTP server, on both stores,
// at a fixed time in America/Santiago, whose clocks skip 00:00→01:00 on
// 2026-09-06: today (not over in report.timezone) and a future day are
// refused, naming the day, the zone and when it ends, and nothing is sent or
// recorded; --force sends today's figures so far without recording the day
// (so the scheduled report still goes out); a day that is over is sent and
// recorded under its own date (the transition day is not taken for the day
// before); preview of a future day notes it has not begun.
func TestReportSendDayNotOver(t *testing.T) {
	for _, url := range []string{"sqlite:" + filepath.Join(t.TempDir(), "bouncer.db"), testenv.PostgresURL(t)} {
		dialect, _, _ := strings.Cut(url, ":")
		t.Run(dialect, func(t *testing.T) {
			sink := startSMTPSink(t)
			cfg := writeFile(t, "bouncer.yaml", fmt.Sprintf(`state_dir: %s
database: {url: %q}
report: {timezone: America/Santiago, from: bouncer@x.test, to: [admin@x.test]}
smtp: {host: %s, port: %d, tls: none}
`, t.TempDir(), url, sink.Host, sink.Port))
			if _, errOut, code := runCLI(t, "migrate", "--config", cfg); code != 0 {
				t.Fatalf("migrate: exit %d: %s", code, errOut)
			}
			setClock := func(rfc3339 string) {
				t.Helper()
				now, err := time.Parse(time.RFC3339, rfc3339)
				if err != nil {
					t.Fatal(err)
				}
				reportClock = func() time.Time { return now }
			}
			t.Cleanup(func() { reportClock = time.Now })
			setClock("2026-09-06T15:00:00Z") // 12:00 on the transition day in Santiago
			yesterday, today, tomorrow := "2026-09-05", "2026-09-06", "2026-09-07"
			recorded := func(day string) bool {
				t.Helper()
				s, err := suppression.Open(context.Background(), url, suppression.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				_, ok, err := s.ReportRun(context.Background(), day)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}

			_, errOut, code := runReport(t, cfg, "send", "--date", today)
			want := "bouncer: report send --date " + today + ": " + today + " is not over yet in America/Santiago: it ends " + tomorrow + " 00:00 -03, in 12h"
			if code != exitUsage || !strings.HasPrefix(errOut, want) || !strings.Contains(errOut, "--force sends the figures so far") {
				t.Errorf("report send --date today: exit %d, stderr %q; want %d starting %q and naming --force", code, errOut, exitUsage, want)
			}
			for _, args := range [][]string{{"send", "--date", tomorrow}, {"send", "--date", tomorrow, "--force"}} {
				_, errOut, code = runReport(t, cfg, args...)
				if want := tomorrow + " has not begun in America/Santiago (it begins " + tomorrow + " 00:00 -03, in 12h"; code != exitUsage || !strings.Contains(errOut, want) {
					t.Errorf("report %v: exit %d, stderr %q; want %d and %q", args, code, errOut, exitUsage, want)
				}
			}
			if n := sink.received(); n != 0 || recorded(yesterday) || recorded(today) || recorded(tomorrow) {
				t.Fatalf("after the refusals: %d messages sent, a day recorded; want none", n)
			}

			out, errOut, code := runReport(t, cfg, "send", "--date", today, "--force")
			if code != 0 || !strings.Contains(out, "sent the report for "+today+" so far as <") ||
				!strings.Contains(out, "not recorded as sent, so the scheduled report for "+today+" still goes out complete") {
				t.Errorf("report send --date today --force: exit %d, stdout %q stderr %q", code, out, errOut)
			}
			if n := sink.received(); n != 1 || recorded(today) {
				t.Errorf("after --force: %d messages sent, today recorded %v; want 1 and not recorded", n, recorded(today))
			}

			out, errOut, code = runReport(t, cfg, "send")
			if code != 0 || !strings.HasPrefix(out, "sent the report for "+yesterday+" as <") || sink.received() != 2 || !recorded(yesterday) {
				t.Errorf("report send (yesterday): exit %d, stdout %q stderr %q, %d sent, recorded %v; want it sent and recorded",
					code, out, errOut, sink.received(), recorded(yesterday))
			}

			out, errOut, code = runReport(t, cfg, "preview", "--date", tomorrow)
			if want := "bouncer: note: " + tomorrow + " has not begun in America/Santiago"; code != 0 || !strings.HasPrefix(errOut, want) ||
				!strings.Contains(errOut, "the report below is empty") || !strings.Contains(out, tomorrow) {
				t.Errorf("report preview --date tomorrow: exit %d, stderr %q; want 0, %q and the (empty) report", code, errOut, want)
			}

			// The next morning the transition day is over: it is sent and
			// recorded as itself, and is the default day.
			setClock("2026-09-07T11:00:00Z")
			out, errOut, code = runReport(t, cfg, "send")
			if code != 0 || !strings.HasPrefix(out, "sent the report for "+today+" as <") || sink.received() != 3 || !recorded(today) {
				t.Errorf("report send on %s: exit %d, stdout %q stderr %q, %d sent, %s recorded %v; want %s sent and recorded",
					tomorrow, code, out, errOut, sink.received(), today, recorded(today), today)
			}
		})
	}
}

func TestSMTPOptions(t *testing.T) {
	o, err := smtpOptions(SMTPConfig{Host: "smtp.x.test", Port: 587, TLS: "starttls", Username: "u", Password: NewSecret("p")})
	if err != nil || o.Host != "smtp.x.test" || o.Port != 587 || o.TLS != "starttls" || o.Password != "p" || o.TLSConfig != nil {
		t.Errorf("smtpOptions = %+v, %v; want the fields mapped and the system roots", o, err)
	}
	notPEM := writeFile(t, "ca.pem", "not a certificate")
	if _, err := smtpOptions(SMTPConfig{Host: "h", TLSCAFile: notPEM}); err == nil || !strings.Contains(err.Error(), "smtp.tls_ca_file") {
		t.Errorf("smtpOptions(bad CA file) = %v, want an error naming smtp.tls_ca_file", err)
	}
}
