package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/poller"
	"github.com/bouncer-mail/bouncer/suppression"
)

// suppressedEmails lists the suppressed addresses.
func (e *pollEnv) suppressedEmails(t *testing.T) []string {
	t.Helper()
	rows, err := e.db.Query(`SELECT email FROM suppressions WHERE suppressed ORDER BY email`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// classCounts returns the bounce_events per class.
func (e *pollEnv) classCounts(t *testing.T) map[string]int {
	t.Helper()
	rows, err := e.db.Query(`SELECT class, count(*) FROM bounce_events GROUP BY class`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var c string
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		out[c] = n
	}
	return out
}

func TestPollOnceTransports(t *testing.T) {
	tests := []struct {
		protocol, tls string
		port          func(d *testenv.DovecotServer) int
		inbox, moved  int // left in INBOX; in Processed
	}{
		{"imap", "none", func(d *testenv.DovecotServer) int { return d.IMAPPort }, 0, 5},
		{"imap", "starttls", func(d *testenv.DovecotServer) int { return d.IMAPPort }, 0, 5},
		{"imap", "implicit", func(d *testenv.DovecotServer) int { return d.IMAPSPort }, 0, 5},
		{"pop3", "starttls", func(d *testenv.DovecotServer) int { return d.POP3Port }, 1, 0},
		{"pop3", "implicit", func(d *testenv.DovecotServer) int { return d.POP3SPort }, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.protocol+"-"+tt.tls, func(t *testing.T) {
			e := newPollEnv(t, 4, func(d *testenv.DovecotServer) []mailboxYAML {
				return []mailboxYAML{{name: "main", protocol: tt.protocol, tls: tt.tls, port: tt.port(d)}}
			})
			e.deliverCorpus(t)
			out, stderr, code := runCLI(t, "poll", "--once", "--config", e.config)
			if code != 0 {
				t.Fatalf("poll --once exit %d, stderr %s", code, stderr)
			}
			if tt.protocol == "imap" && tt.tls == "none" {
				// docs/mailboxes.md shows this pass's summary, but for the time taken.
				seconds := regexp.MustCompile(`[0-9.]+s\n$`)
				if want := docSample(t, "mailboxes.md", "bouncer poll --once"); seconds.ReplaceAllString(out, "") != seconds.ReplaceAllString(want, "") {
					t.Errorf("docs/mailboxes.md's sample:\n%s\npoll --once prints:\n%s", want, out)
				}
			}
			if !strings.Contains(out, "main: fetched 6,") || !strings.Contains(out, "complaints 1, not reports 1, unparsed 0, no recipient 0, newly suppressed 2") {
				t.Errorf("summary = %q, want fetched 6, complaints 1, not reports 1, unparsed 0, no recipient 0, newly suppressed 2", out)
			}
			if got, want := e.suppressedEmails(t), []string{"kijitora@example.co.jp", "redacted@example.net"}; !reflect.DeepEqual(got, want) {
				t.Errorf("suppressed = %q, want %q", got, want)
			}
			want := map[string]int{"hard": 1, "soft": 1, "block": 1, "complaint": 1, "ignore": 1}
			if got := e.classCounts(t); !reflect.DeepEqual(got, want) {
				t.Errorf("events by class = %v, want %v", got, want)
			}
			if n := e.count(t, `SELECT count(*) FROM processed_messages WHERE mailbox = 'main'`); n != 6 {
				t.Errorf("ledger holds %d messages, want 6", n)
			}
			if e.maildir(t, "") != tt.inbox || e.maildir(t, "Processed") != tt.moved {
				t.Errorf("INBOX %d, Processed %d; want %d, %d", e.maildir(t, ""), e.maildir(t, "Processed"), tt.inbox, tt.moved)
			}
			if tt.protocol == "imap" && e.maildir(t, "Unprocessed") != 1 {
				t.Errorf("Unprocessed holds %d, want the junk message", e.maildir(t, "Unprocessed"))
			}
			if n := e.count(t, `SELECT count(*) FROM mailbox_status WHERE mailbox = 'main' AND last_error = '' AND fetched = 6`); n != 1 {
				t.Errorf("mailbox_status rows for a successful pass of 6 = %d, want 1", n)
			}
			out, _, code = runCLI(t, "poll", "--once", "--config", e.config)
			if code != 0 || !strings.Contains(out, "fetched 0,") {
				t.Errorf("second poll: exit %d, %q; want 0 and nothing fetched", code, out)
			}
		})
	}
}

func TestPollOnceServerDown(t *testing.T) {
	e := newPollEnv(t, 10, func(d *testenv.DovecotServer) []mailboxYAML {
		return []mailboxYAML{{name: "main", protocol: "imap", tls: "implicit", port: closedPort(t)}}
	})
	out, stderr, code := runCLI(t, "poll", "--once", "--config", e.config)
	if code != exitTempFail {
		t.Fatalf("poll --once against a closed port exited %d, want %d (EX_TEMPFAIL)", code, exitTempFail)
	}
	if !strings.HasPrefix(out, "main: FAILED: ") || !strings.Contains(out, "connection refused") || !strings.Contains(out, "fetched 0") {
		t.Errorf("stdout = %q, want the summary to start with main: FAILED: and name the cause", out)
	}
	if !strings.Contains(stderr, "poll failed") {
		t.Errorf("stderr = %q, want a logged failure", stderr)
	}
	if n := e.count(t, `SELECT consecutive_failures FROM mailbox_status WHERE mailbox = 'main'`); n != 1 {
		t.Errorf("consecutive_failures = %d, want 1", n)
	}
}

// TestPollOnceDatabaseDown: a database that cannot be reached is a
// temporary failure (75), as docs/mailboxes.md promises cron wrappers, like
// ingest's; a schema that is not there stays exit 2.
func TestPollOnceDatabaseDown(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	downURL := "postgres://postgres@127.0.0.1:" + itoa(closedPort(t)) + "/x?sslmode=disable&connect_timeout=2"
	down := writeFile(t, "down.yaml", strings.Replace(readString(t, e.config), e.dbURL, downURL, 1))
	out, stderr, code := runCLI(t, "poll", "--once", "--config", down)
	if code != exitTempFail || !strings.Contains(stderr, "connect postgres") || !strings.Contains(stderr, "connection refused") {
		t.Errorf("poll --once, database down: exit %d stderr %q, want %d (EX_TEMPFAIL) naming the refused connection", code, stderr, exitTempFail)
	}
	if out != "" {
		t.Errorf("poll --once, database down: stdout %q, want nothing polled", out)
	}
	// Postgres refusing a connection for now (53300: a role with
	// CONNECTION LIMIT 0 has too many) is temporary too.
	u, err := url.Parse(e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("postgres", e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() }) // after the role's cleanup below
	role := "bouncer_nolimit_" + itoa(os.Getpid())
	if _, err := admin.Exec(`CREATE ROLE ` + role + ` LOGIN CONNECTION LIMIT 0`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec(`DROP ROLE ` + role) }) //nolint:errcheck // a test role
	u.User = url.User(role)
	full := writeFile(t, "full.yaml", strings.Replace(readString(t, e.config), e.dbURL, u.String(), 1))
	_, stderr, code = runCLI(t, "poll", "--once", "--config", full)
	if code != exitTempFail || !strings.Contains(stderr, "too many connections") {
		t.Errorf("poll --once, too many connections for the role: exit %d stderr %q, want %d (EX_TEMPFAIL) naming it", code, stderr, exitTempFail)
	}
}

func TestPollUnknownMailbox(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	if _, _, code := runCLI(t, "poll", "--once", "--mailbox", "nope", "--config", e.config); code != exitUsage {
		t.Errorf("poll --mailbox nope exit %d, want %d", code, exitUsage)
	}
}

// TestPollSkipsLockedMailbox holds the mailbox's lock as another replica
// would: poll --once leaves the mailbox alone.
func TestPollSkipsLockedMailbox(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	e.deliverCorpus(t)
	if _, stderr, code := runCLI(t, "migrate", "--config", e.config); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	store, err := suppression.Open(context.Background(), e.dbURL, suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	// Another process polls the same account, configured under another name.
	account := poller.Mailbox{Name: "elsewhere", Protocol: poller.ProtocolIMAP, Host: e.dovecot.Host, Port: e.dovecot.IMAPSPort, Username: e.dovecot.User}
	unlock, ok, err := store.TryLock(context.Background(), poller.LockName(account))
	if err != nil || !ok {
		t.Fatalf("TryLock = %v, %v", ok, err)
	}
	out, _, code := runCLI(t, "poll", "--once", "--config", e.config)
	if code != 0 || !strings.Contains(out, "main: skipped, another bouncer is polling it") {
		t.Errorf("poll with the lock held: exit %d, %q; want 0 and skipped", code, out)
	}
	if e.maildir(t, "") != 6 {
		t.Errorf("INBOX holds %d, want all 6 untouched", e.maildir(t, ""))
	}
	unlock()
	if out, _, code := runCLI(t, "poll", "--once", "--config", e.config); code != 0 || !strings.Contains(out, "fetched 6") {
		t.Errorf("poll after unlock: exit %d, %q; want 6 fetched", code, out)
	}
}

// TestPollOncePOP3Flag leaves the messages on the server and skips them
// by UIDL on the next pass.
func TestPollOncePOP3Flag(t *testing.T) {
	e := newPollEnv(t, 10, func(d *testenv.DovecotServer) []mailboxYAML {
		return []mailboxYAML{{name: "main", protocol: "pop3", tls: "implicit", port: d.POP3SPort, after: "flag"}}
	})
	e.deliverCorpus(t)
	for i, want := range []string{"fetched 6,", "fetched 0,"} {
		out, stderr, code := runCLI(t, "poll", "--once", "--config", e.config)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("pass %d: exit %d, %q (%s); want %q", i+1, code, out, stderr, want)
		}
	}
	if n := e.maildir(t, ""); n != 6 {
		t.Errorf("INBOX holds %d, want all 6 left on the server", n)
	}
	if n := e.count(t, `SELECT count(*) FROM mailbox_seen WHERE mailbox = 'main'`); n != 6 {
		t.Errorf("mailbox_seen holds %d UIDLs, want 6", n)
	}
}

// TestPollWithoutOnceRefused: poll is one pass; without --once it says so
// (exit 64) instead of quietly behaving as --once.
func TestPollWithoutOnceRefused(t *testing.T) {
	cfg := writeFile(t, "c.yaml", "state_dir: "+t.TempDir()+"\nmailboxes:\n  - {name: m, protocol: imap, host: 127.0.0.1, port: 1, username: u, password_env: HOME}\n")
	_, errOut, code := runCLI(t, "poll", "--config", cfg)
	if code != exitUsage || !strings.Contains(errOut, "poll needs --once") || !strings.Contains(errOut, "bouncer run") {
		t.Errorf("poll without --once: exit %d, %q; want %d pointing at --once and bouncer run", code, errOut, exitUsage)
	}
}

// TestConfigCheckConnect tries a real Postgres, Dovecot over IMAPS and a
// mailbox whose password is wrong: one line each, exit 1 for the failure.
func TestConfigCheckConnect(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	out, errOut, code := runCLI(t, "config", "check", "--connect", "--config", e.config)
	for _, want := range []string{"connect database postgres://", ": ok\n", "connect mailbox main (imap "} {
		if code != 0 || !strings.Contains(errOut, want) {
			t.Errorf("config check --connect: exit %d, stderr lacks %q:\n%s%s", code, want, errOut, out)
		}
	}
	if strings.Contains(errOut, "FAILED") {
		t.Errorf("config check --connect failed against working servers:\n%s", errOut)
	}
	bad := writeFile(t, "bad.yaml", strings.Replace(mustRead(t, e.config), "password_file: ", "password_file: "+writeFile(t, "wrong", "wrong-password")+"\n    # ", 1))
	_, errOut, code = runCLI(t, "config", "check", "--connect", "--config", bad)
	if code != 1 || !strings.Contains(errOut, "connect mailbox main") || !strings.Contains(errOut, "FAILED") || !strings.Contains(errOut, "1 connection failed") {
		t.Errorf("config check --connect with a wrong password: exit %d:\n%s", code, errOut)
	}
}

// TestTLSVerifyHintsAndSkipWarning runs against Dovecot's self-signed
// certificate: without tls_ca_file the failure names the key that fixes it
// (config check --connect and poll alike); tls_skip_verify works but is
// warned about, naming the mailbox, by config check and once by poll, and
// not by a command that never connects (suppression check).
func TestTLSVerifyHintsAndSkipWarning(t *testing.T) {
	e := newPollEnv(t, 10, imapsBox)
	withCA := mustRead(t, e.config)
	noCA := writeFile(t, "noca.yaml", strings.Replace(withCA, "    tls_ca_file: "+e.dovecot.CAFile+"\n", "", 1))
	hint := "x509: certificate signed by unknown authority"
	fix := "(set mailboxes[0].tls_ca_file to the PEM file of the CA that signed the server's certificate, or of the server's own certificate when it is self-signed)"
	_, errOut, code := runCLI(t, "config", "check", "--connect", "--config", noCA)
	if code != 1 || !strings.Contains(errOut, "connect mailbox main (imap ") || !strings.Contains(errOut, hint) || !strings.Contains(errOut, fix) {
		t.Errorf("config check --connect without tls_ca_file: exit %d, stderr:\n%s\nwant 1, %q and %q", code, errOut, hint, fix)
	}
	// SMTP's hint, on the same certificate: implicit TLS fails at the
	// handshake, before any SMTP is spoken.
	smtpCfg := writeFile(t, "smtp.yaml", withCA+fmt.Sprintf("smtp: {host: %s, port: %d, tls: implicit}\n", e.dovecot.Host, e.dovecot.IMAPSPort))
	_, errOut, _ = runCLI(t, "config", "check", "--connect", "--config", smtpCfg)
	if want := "(set smtp.tls_ca_file to the PEM file"; !strings.Contains(errOut, "connect smtp ") || !strings.Contains(errOut, want) {
		t.Errorf("config check --connect, SMTP on a self-signed certificate: stderr:\n%s\nwant %q", errOut, want)
	}
	out, _, code := runCLI(t, "poll", "--once", "--config", noCA)
	if code != exitTempFail || !strings.HasPrefix(out, "main: FAILED: ") || !strings.Contains(out, fix) {
		t.Errorf("poll --once without tls_ca_file: exit %d, stdout %q; want %d and %q", code, out, exitTempFail, fix)
	}

	skip := writeFile(t, "skip.yaml", strings.Replace(withCA, "tls_ca_file: "+e.dovecot.CAFile+"\n", "tls_skip_verify: true\n", 1))
	warn := fmt.Sprintf(`mailboxes[0].tls_skip_verify: mailbox \"main\" sends its password to %s:%d without verifying the server's certificate`,
		e.dovecot.Host, e.dovecot.IMAPSPort)
	_, errOut, code = runCLI(t, "config", "check", "--connect", "--config", skip)
	if code != 0 || strings.Count(errOut, warn) != 1 || !strings.Contains(errOut, "(1 warning above)") || !strings.Contains(errOut, "connect mailbox main (imap ") {
		t.Errorf("config check --connect with tls_skip_verify: exit %d, stderr:\n%s\nwant 0, %q once and the warning counted", code, errOut, warn)
	}
	out, errOut, code = runCLI(t, "poll", "--once", "--config", skip)
	if code != 0 || strings.Count(errOut, warn) != 1 || !strings.HasPrefix(out, "main: fetched 0,") {
		t.Errorf("poll --once with tls_skip_verify: exit %d, stdout %q stderr %q; want 0 and %q once", code, out, errOut, warn)
	}
	if _, errOut, _ := runCLI(t, "suppression", "check", "a@example.com", "--config", skip); strings.Contains(errOut, "tls_skip_verify") {
		t.Errorf("suppression check with tls_skip_verify: stderr %q, want no word of it (it connects to no mailbox)", errOut)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// noRecipientDSN is a bounce whose only recipient is not an address.
const noRecipientDSN = "From: MAILER-DAEMON@mx.example.net\r\nTo: bounces@x.test\r\n" +
	"Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <norcpt-1@mx.example.net>\r\n" +
	"Date: Mon, 7 Dec 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
	"Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
	"--b\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n" +
	"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n" +
	"Final-Recipient: rfc822; not-an-address\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
	"Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n--b--\r\n"

// TestPollNoRecipientLeftForAPerson polls, from a real Dovecot into each
// store, a complaint whose recipient is redacted (the ARF sample as
// providers send it, no signed return path) and a bounce whose only
// recipient is not an address. Nothing is recorded for either. The
// complaint is the expected kind: ledgered redacted_complaint, counted, and
// disposed of like a recorded message (IMAP: Processed; POP3: deleted, so
// complaints never pile up against the quota). The bounce is ledgered
// no_recipient and left for a person (IMAP: Unprocessed; POP3: kept on the
// server, counted by bouncer_mailbox_kept_messages).
func TestPollNoRecipientLeftForAPerson(t *testing.T) {
	arf, err := os.ReadFile("../../dsn/testdata/corpus/arf-mail-auth/arf-001.eml")
	if err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{"postgres", "sqlite"} {
		for _, protocol := range []string{"imap", "pop3"} {
			t.Run(store+"-"+protocol, func(t *testing.T) {
				dbURL := testenv.PostgresURL(t)
				if store == "sqlite" {
					dbURL = "sqlite:" + t.TempDir() + "/bouncer.db"
				}
				e := newPollEnvDB(t, dbURL, 4, func(d *testenv.DovecotServer) []mailboxYAML {
					port := map[string]int{"imap": d.IMAPSPort, "pop3": d.POP3SPort}[protocol]
					return []mailboxYAML{{name: "main", protocol: protocol, tls: "implicit", port: port}}
				})
				if store == "sqlite" {
					if _, stderr, code := runCLI(t, "migrate", "--config", e.config); code != 0 {
						t.Fatalf("migrate exit %d: %s", code, stderr)
					}
				}
				e.dovecot.DeliverMaildir(arf)
				e.dovecot.DeliverMaildir([]byte(noRecipientDSN))
				out, stderr, code := runCLI(t, "poll", "--once", "--config", e.config)
				if code != 0 {
					t.Fatalf("poll --once exit %d, stderr %s", code, stderr)
				}
				if !strings.Contains(out, "main: fetched 2,") ||
					!strings.Contains(out, "complaints 0 (and 1 with the recipient redacted), not reports 0, unparsed 0, no recipient 1,") {
					t.Errorf("summary = %q, want fetched 2, 1 redacted complaint and no recipient 1", out)
				}
				if n := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'redacted_complaint' AND type = 'arf' AND error = 'record 1: no recipient'`); n != 1 {
					t.Errorf("redacted_complaint ledger rows = %d, want 1", n)
				}
				if n := e.count(t, `SELECT count(*) FROM processed_messages WHERE outcome = 'no_recipient' AND type = 'dsn' AND error LIKE 'record 1: invalid address%'`); n != 1 {
					t.Errorf("no_recipient ledger rows naming the invalid address = %d, want 1", n)
				}
				if n := e.count(t, `SELECT count(*) FROM bounce_events`); n != 0 {
					t.Errorf("%d events recorded, want none (no recipient is invented)", n)
				}
				want := map[string][3]int{"imap": {0, 1, 1}, "pop3": {1, 0, 0}}[protocol] // INBOX, Unprocessed, Processed
				if got := [3]int{e.maildir(t, ""), e.maildir(t, "Unprocessed"), e.maildir(t, "Processed")}; got != want {
					t.Errorf("INBOX, Unprocessed, Processed = %v; want %v", got, want)
				}
			})
		}
	}
}
