package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// pollEnv is a database (Postgres, or SQLite read-only for the test), a
// Dovecot user and a config file naming both.
type pollEnv struct {
	db      *sql.DB
	dbURL   string
	dovecot *testenv.DovecotServer
	config  string
}

// mailboxYAML is one mailbox entry of a test config.
type mailboxYAML struct {
	name, protocol, tls, after string
	port                       int
}

func newPollEnv(t testing.TB, batch int, boxes func(d *testenv.DovecotServer) []mailboxYAML) *pollEnv {
	t.Helper()
	return newPollEnvDB(t, testenv.PostgresURL(t), batch, boxes)
}

// newPollEnvDB is newPollEnv on the database of dbURL.
func newPollEnvDB(t testing.TB, dbURL string, batch int, boxes func(d *testenv.DovecotServer) []mailboxYAML) *pollEnv {
	t.Helper()
	e := &pollEnv{dbURL: dbURL, dovecot: testenv.Dovecot(t)}
	driver, source := "postgres", dbURL
	if path, ok := strings.CutPrefix(dbURL, "sqlite:"); ok {
		driver, source = "sqlite", "file:"+path+"?mode=ro" // bouncer writes it; the test reads
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	e.db = db
	dir := t.TempDir()
	pw := filepath.Join(dir, "password")
	if err := os.WriteFile(pw, []byte(e.dovecot.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "state_dir: %s\ndatabase:\n  url: %q\nlog:\n  level: warn\npoller:\n  batch_size: %d\nmailboxes:\n", dir, e.dbURL, batch)
	for _, m := range boxes(e.dovecot) {
		fmt.Fprintf(&b, "  - name: %s\n    protocol: %s\n    host: %s\n    port: %d\n    tls: %s\n    tls_ca_file: %s\n    username: %s\n    password_file: %s\n",
			m.name, m.protocol, e.dovecot.Host, m.port, m.tls, e.dovecot.CAFile, e.dovecot.User, pw)
		if m.after != "" {
			fmt.Fprintf(&b, "    after: %s\n", m.after)
		}
	}
	e.config = filepath.Join(dir, "bouncer.yaml")
	if err := os.WriteFile(e.config, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return e
}

// imapsBox is the usual single mailbox: IMAP over implicit TLS.
func imapsBox(d *testenv.DovecotServer) []mailboxYAML {
	return []mailboxYAML{{name: "main", protocol: "imap", tls: "implicit", port: d.IMAPSPort}}
}

// count runs a COUNT query.
func (e *pollEnv) count(t testing.TB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// maildir counts the messages of a folder ("" is INBOX).
func (e *pollEnv) maildir(t testing.TB, folder string) int {
	t.Helper()
	return e.dovecot.Count(folder)
}

// corpusFile reads a message of the poller's test corpus.
func corpusFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "poller", "testdata", name+".eml"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var corpusNames = []string{"hard", "soft", "block", "complaint", "autoreply", "junk"}

// deliverCorpus puts the six-message mix into INBOX.
func (e *pollEnv) deliverCorpus(t testing.TB) {
	t.Helper()
	at := time.Now().Add(-time.Hour)
	for i, n := range corpusNames {
		e.dovecot.DeliverMaildirAt(corpusFile(t, n), at.Add(time.Duration(i)*time.Minute))
	}
}

// syntheticBounce is a Postfix-style RFC 3464 hard bounce for user<n>.
func syntheticBounce(n int, pad int) []byte {
	rcpt := fmt.Sprintf("user%d@example.net", n)
	return fmt.Appendf(nil, `From: MAILER-DAEMON@mx.example.net (Mail Delivery System)
To: bounces@example.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 24 Nov 2026 10:00:00 +0000
Message-ID: <bounce%d@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B%d"

--B%d
Content-Type: text/plain

This is the mail system at host mx.example.net.

<%s>: host mx.example.net said: 550 5.1.1 User unknown

--B%d
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; %s
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <%s>: Recipient address rejected: User unknown

--B%d
Content-Type: message/rfc822

From: news@example.com
To: %s
Subject: Newsletter
Message-ID: <orig%d@example.com>

%s
--B%d--
`, n, n, n, rcpt, n, rcpt, rcpt, n, rcpt, n, strings.Repeat("An original line of the newsletter that bounced.\n", pad), n)
}
