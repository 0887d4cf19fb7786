package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
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
