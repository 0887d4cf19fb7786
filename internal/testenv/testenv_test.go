package testenv

import (
	"context"
	"crypto/tls"
	"database/sql"
	"fmt"
	"net/textproto"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"
)

const testMessage = "From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nhello\r\n"

func TestPostgresURLGivesFreshDatabases(t *testing.T) {
	a, b := PostgresURL(t), PostgresURL(t)
	if a == b {
		t.Fatalf("PostgresURL twice = %q both times", a)
	}
	db, err := sql.Open("postgres", a)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE TABLE t (x int)"); err != nil {
		t.Fatalf("create table in fresh database: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("public tables = %d, want 1 (a fresh database)", n)
	}
}

func TestDovecotIMAPS(t *testing.T) {
	s := Dovecot(t)
	s.DeliverMaildir([]byte(testMessage))
	s.DeliverMaildir([]byte(testMessage))
	c, err := imapclient.DialTLS(s.Addr(s.IMAPSPort), &imapclient.Options{TLSConfig: s.TLSConfig()})
	if err != nil {
		t.Fatalf("dial IMAPS: %v", err)
	}
	defer c.Close()
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatalf("select INBOX: %v", err)
	}
	if sel.NumMessages != 2 {
		t.Errorf("INBOX holds %d messages, want 2 delivered", sel.NumMessages)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Errorf("logout: %v", err)
	}
}

func TestDovecotIMAPStartTLSAndBadPassword(t *testing.T) {
	s := Dovecot(t)
	other := Dovecot(t) // added right after: both must work at once
	for _, tt := range []struct {
		user, pass string
		ok         bool
	}{
		{s.User, "wrong", false},
		{s.User, s.Password, true},
		{other.User, other.Password, true},
	} {
		c, err := imapclient.DialStartTLS(s.Addr(s.IMAPPort), &imapclient.Options{TLSConfig: s.TLSConfig()})
		if err != nil {
			t.Fatalf("dial IMAP STARTTLS: %v", err)
		}
		err = c.Login(tt.user, tt.pass).Wait()
		c.Close()
		if (err == nil) != tt.ok {
			t.Errorf("login %s with password ok=%v: err = %v", tt.user, tt.ok, err)
		}
	}
}

func TestDovecotPOP3S(t *testing.T) {
	s := Dovecot(t)
	s.DeliverMaildir([]byte(testMessage))
	conn, err := tls.Dial("tcp", s.Addr(s.POP3SPort), s.TLSConfig())
	if err != nil {
		t.Fatalf("dial POP3S: %v", err)
	}
	defer conn.Close()
	tp := textproto.NewConn(conn)
	stat := ""
	for _, step := range []struct{ cmd, arg string }{
		{"", ""}, {"USER", s.User}, {"PASS", s.Password}, {"STAT", ""}, {"QUIT", ""},
	} {
		if step.cmd != "" {
			if err := tp.PrintfLine("%s", strings.TrimSpace(step.cmd+" "+step.arg)); err != nil {
				t.Fatal(err)
			}
		}
		line, err := tp.ReadLine()
		if err != nil || !strings.HasPrefix(line, "+OK") {
			t.Fatalf("POP3 %s: %q, %v", step.cmd, line, err)
		}
		if step.cmd == "STAT" {
			stat = line
		}
	}
	want := fmt.Sprintf("+OK 1 %d", len(testMessage))
	if stat != want {
		t.Errorf("STAT = %q, want %q", stat, want)
	}
}

func TestDovecotPOP3STLS(t *testing.T) {
	s := Dovecot(t)
	tp, err := textproto.Dial("tcp", s.Addr(s.POP3Port))
	if err != nil {
		t.Fatalf("dial POP3: %v", err)
	}
	defer tp.Close()
	if line, err := tp.ReadLine(); err != nil || !strings.HasPrefix(line, "+OK") {
		t.Fatalf("greeting %q, %v", line, err)
	}
	tp.PrintfLine("CAPA")
	capa, err := tp.ReadDotLines()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(capa, " "), "STLS") {
		t.Errorf("CAPA = %q, want STLS offered", capa)
	}
}

func TestParseEnvFile(t *testing.T) {
	path := t.TempDir() + "/env"
	content := "# comment\nBOUNCER_TEST_DATABASE_URL=postgres://x@127.0.0.1:1/postgres?sslmode=disable\n\nBOUNCER_TEST_DOVECOT_HOST=127.0.0.1\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	vars, ok := parseEnvFile(path)
	if !ok || vars[EnvDatabaseURL] != "postgres://x@127.0.0.1:1/postgres?sslmode=disable" || vars[EnvDovecotHost] != "127.0.0.1" || len(vars) != 2 {
		t.Errorf("parseEnvFile = %q, %v", vars, ok)
	}
}

func TestDBName(t *testing.T) {
	got := dbName("TestMigrate/Twice-Concurrent Ünicode and a very long name indeed")
	if !strings.HasPrefix(got, "bt_testmigrate_twice_concurrent_") || len(got) > 63 || strings.ContainsFunc(got, func(r rune) bool {
		return !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		t.Errorf("dbName = %q, want a lower-case identifier of at most 63 bytes", got)
	}
}

// TestServersPortRange checks scripts/test-servers picks its ports inside
// BOUNCER_TEST_PORTS, and refuses a range it cannot use.
func TestServersPortRange(t *testing.T) {
	run := func(ports string) (string, error) {
		cmd := exec.Command("../../scripts/test-servers", "ports", "6")
		cmd.Env = append(os.Environ(), "BOUNCER_TEST_PORTS="+ports)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("30000-30009")
	if err != nil {
		t.Fatalf("ports in 30000-30009: %v\n%s", err, out)
	}
	got := strings.Fields(out)
	for _, p := range got {
		if n, err := strconv.Atoi(p); err != nil || n < 30000 || n > 30009 {
			t.Errorf("port %q outside 30000-30009", p)
		}
	}
	if len(got) != 6 {
		t.Errorf("ports = %q, want 6", got)
	}
	if out, err := run("80-90"); err == nil || !strings.Contains(out, "BOUNCER_TEST_PORTS=80-90") {
		t.Errorf("a range below 1024: %v, %q; want an error naming it", err, out)
	}
}
