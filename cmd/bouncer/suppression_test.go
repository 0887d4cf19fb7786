package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// runSupp runs "bouncer suppression ARGS --config CFG".
func runSupp(t *testing.T, cfg string, args ...string) (string, string, int) {
	t.Helper()
	return runCLI(t, append(append([]string{"suppression"}, args...), "--config", cfg)...)
}

// suppConfig writes a config whose SQLite store holds a hard bounce for
// dead@x.test and two soft bounces for full@x.test.
func suppConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := writeFile(t, "bouncer.yaml", fmt.Sprintf("state_dir: %s\npolicy: {soft_threshold: 2}\n", dir))
	s, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(dir, "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := time.Now().Add(-time.Hour)
	msg := func(key, addr string, class dsn.Class, reason dsn.Reason) suppression.Message {
		return suppression.Message{Key: key, Mailbox: "main", ReceivedAt: at, Report: &dsn.Report{Type: dsn.TypeDSN,
			Recipients: []dsn.Recipient{{FinalRecipient: addr, Status: "5.1.1", Class: class, Reason: reason}}}}
	}
	_, err = s.Record(context.Background(), []suppression.Message{msg("1", "dead@x.test", dsn.ClassHard, dsn.ReasonUserUnknown),
		msg("2", "full@x.test", dsn.ClassSoft, dsn.ReasonMailboxFull), msg("3", "full@x.test", dsn.ClassSoft, dsn.ReasonMailboxFull)}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestSuppressionCheckExitCodes(t *testing.T) {
	cfg := suppConfig(t)
	tests := []struct {
		args   []string
		code   int
		stdout []string
	}{
		{[]string{"check", "Dead@x.test", "new@z.test"}, 1, []string{"dead@x.test  suppressed   userunknown", "new@z.test   deliverable"}},
		{[]string{"check", "new@z.test", "full@x.test"}, 0, []string{"full@x.test  deliverable"}},
		// One malformed address is answered on its line; the rest decide the exit.
		{[]string{"check", "new@z.test", "not-an-address"}, 0, []string{"new@z.test      deliverable", "not-an-address  invalid      invalid address: "}},
		{[]string{"check", "not-an-address", "Dead@x.test"}, 1, []string{"not-an-address  invalid", "dead@x.test     suppressed  userunknown"}},
		{[]string{"check", "not-an-address", "also bad@"}, 2, []string{"not-an-address  invalid", "also bad@       invalid"}},
	}
	for _, tt := range tests {
		out, errOut, code := runSupp(t, cfg, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d (%s), want %d", tt.args, code, errOut, tt.code)
		}
		for _, want := range tt.stdout {
			if !strings.Contains(out, want) {
				t.Errorf("%v: stdout %q lacks %q", tt.args, out, want)
			}
		}
	}
	if out, _, code := runSupp(t, cfg, "check", "not-an-address"); code != 2 || !strings.Contains(out, "not-an-address  invalid  invalid address") {
		t.Errorf("check of only an invalid address: exit %d, stdout %q; want 2 and the address named invalid", code, out)
	}
}

func TestSuppressionListFormats(t *testing.T) {
	cfg := suppConfig(t)
	out, errOut, code := runSupp(t, cfg, "list", "--all", "--format", "json")
	var got []map[string]any
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || len(got) != 2 {
		t.Fatalf("list --all --format json: exit %d %s, %v:\n%s", code, errOut, err, out)
	}
	if got[0]["email"] != "dead@x.test" || got[0]["hard_count"] != 1.0 || got[0]["suppressed"] != true || got[1]["soft_count"] != 2.0 {
		t.Errorf("json rows = %v", got)
	}
	out, _, _ = runSupp(t, cfg, "list", "--format", "csv")
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[0], "email,domain,hard_count") || !strings.HasPrefix(lines[1], "dead@x.test,x.test,1,") {
		t.Errorf("list --format csv =\n%s", out)
	}
	out, _, _ = runSupp(t, cfg, "list", "--class", "soft", "--all")
	if !strings.Contains(out, "full@x.test") || strings.Contains(out, "dead@x.test") || !strings.HasPrefix(out, "EMAIL") {
		t.Errorf("list --class soft --all =\n%s", out)
	}
	out, _, _ = runSupp(t, cfg, "show", "dead@x.test")
	if !strings.Contains(out, "evidence (1 event,") || !strings.Contains(out, "userunknown") {
		t.Errorf("show =\n%s", out)
	}
}

func TestSuppressionEdits(t *testing.T) {
	cfg := suppConfig(t)
	steps := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"add", "boss@x.test", "--reason", "asked us", "--expires", "30d"}, 0, "boss@x.test suppressed (asked us)"},
		{[]string{"check", "boss@x.test"}, 1, "asked us"},
		{[]string{"remove", "boss@x.test"}, 0, "removed"},
		{[]string{"remove", "boss@x.test"}, 0, "boss@x.test is not suppressed and counts no failures: nothing to remove"},
		{[]string{"check", "boss@x.test"}, 0, "deliverable"},
		{[]string{"allow", "add", "X.test", "--note", "ours"}, 0, "x.test allowlisted"},
		{[]string{"check", "dead@x.test"}, 0, "allowlisted"},
		{[]string{"show", "dead@x.test"}, 0, "state:          allowlisted (never suppressed; the entry alone would be suppressed)"},
		{[]string{"allow", "list"}, 0, "x.test"},
		{[]string{"allow", "remove", "x.test"}, 0, ""},
		{[]string{"recompute", "--dry-run"}, 0, "full@x.test  counting h0 s2 b0 c0  → suppressed (mailboxfull) h0 s2 b0 c0  suppressed_at: - → "}, // the fields that change are shown
		{[]string{"check", "full@x.test"}, 0, "deliverable"},
		{[]string{"recompute"}, 0, "1 address changed"},
		{[]string{"check", "full@x.test"}, 1, "mailboxfull"},
		{[]string{"export", "--format", "ses"}, 0, "EmailAddress,Reason,LastUpdateTime\ndead@x.test,BOUNCE,"},
	}
	for _, s := range steps {
		out, errOut, code := runSupp(t, cfg, s.args...)
		if code != s.code || !strings.Contains(out, s.out) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d and %q", s.args, code, out, errOut, s.code, s.out)
		}
	}
}

func TestSuppressionImportReportsLines(t *testing.T) {
	cfg := suppConfig(t)
	file := writeFile(t, "list.csv", "EmailAddress,Reason\na@ses.test,BOUNCE\nbroken,BOUNCE\nb@ses.test,COMPLAINT\n")
	_, errOut, code := runSupp(t, cfg, "import", file)
	if code != 1 || !strings.Contains(errOut, `line 3: invalid address "broken"`) || !strings.Contains(errOut, "nothing imported") {
		t.Errorf("import with a bad line: exit %d, stderr %q", code, errOut)
	}
	out, errOut, code := runSupp(t, cfg, "import", file, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "imported 2 addresses (ses format)") || !strings.Contains(out, "skipped line 3") {
		t.Errorf("import --skip-invalid: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// TestReadCommandsFailClosed checks that with no database (no config file
// found, or a config whose database was never created) every read and edit
// command exits 2 naming what to do, and creates nothing: `suppression
// check` must never answer "deliverable" from a new, empty store.
func TestReadCommandsFailClosed(t *testing.T) {
	cwd := t.TempDir()
	t.Chdir(cwd)
	state := filepath.Join(t.TempDir(), "xdg")
	t.Setenv("XDG_STATE_HOME", state) // the default database: state/bouncer/bouncer.db
	t.Setenv("BOUNCER_CONFIG", "")
	if _, err := os.Stat("/etc/bouncer/bouncer.yaml"); err == nil {
		t.Skip("/etc/bouncer/bouncer.yaml exists here: the no-config case cannot be tested")
	}
	emptyDir := t.TempDir()
	withCfg := writeFile(t, "bouncer.yaml", "state_dir: "+emptyDir+"\n")
	commands := [][]string{
		{"suppression", "check", "kijitora@example.org"},
		{"suppression", "list"},
		{"suppression", "list", "--format", "csv"},
		{"suppression", "show", "kijitora@example.org"},
		{"suppression", "export"},
		{"suppression", "add", "kijitora@example.org", "--reason", "test"},
		{"suppression", "allow", "list"},
		{"report", "preview"},
	}
	refuseAll := func(t *testing.T, cfg string) {
		for _, args := range commands {
			if cfg != "" {
				args = append(args[:len(args):len(args)], "--config", cfg)
			}
			out, errOut, code := runCLI(t, args...)
			if code != exitNoDatabase || !strings.Contains(errOut, "no bouncer database at") || !strings.Contains(errOut, "bouncer migrate") {
				t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d and a message naming the database and `bouncer migrate`", args, code, out, errOut, exitNoDatabase)
			}
		}
	}
	refuseAll(t, "")
	refuseAll(t, withCfg)
	t.Run("postgres without the schema", func(t *testing.T) {
		refuseAll(t, writeFile(t, "pg.yaml", "database: {url: '"+testenv.PostgresURL(t)+"'}\n"))
	})
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("a read command created the default state directory %s (stat: %v)", state, err)
	}
	if ents, _ := os.ReadDir(emptyDir); len(ents) != 0 {
		t.Errorf("a read command created files in the config's state_dir: %v", ents)
	}
	_, errOut, _ := runCLI(t, "suppression", "check", "a@b.test", "--config", withCfg)
	if want := "no config file found"; strings.Contains(errOut, want) {
		t.Errorf("with a config file the message says %q: %s", want, errOut)
	}
}

// TestCheckNamesItsDatabase checks suppression check --verbose and
// --format json say which config and database were read.
func TestCheckNamesItsDatabase(t *testing.T) {
	cfg := suppConfig(t)
	_, errOut, code := runSupp(t, cfg, "check", "dead@x.test", "--verbose")
	if code != 1 || !strings.Contains(errOut, "config: "+cfg+"\n") || !strings.Contains(errOut, "database: sqlite:") {
		t.Errorf("check --verbose: exit %d, stderr %q; want 1 and the config and database named", code, errOut)
	}
	out, errOut, code := runSupp(t, cfg, "check", "dead@x.test", "new@z.test", "--format", "json")
	var got struct {
		Config, Database string
		Results          []suppression.CheckResult
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || code != 1 {
		t.Fatalf("check --format json: exit %d, %v: %s %s", code, err, out, errOut)
	}
	if got.Config != cfg || !strings.HasPrefix(got.Database, "sqlite:") || !strings.HasSuffix(got.Database, "bouncer.db") ||
		len(got.Results) != 2 || !got.Results[0].Suppressed || got.Results[1].State != "deliverable" {
		t.Errorf("check --format json = %+v; want config %s, a sqlite: database ending bouncer.db, dead suppressed and new deliverable", got, cfg)
	}
}

// The CLI's changes land in the audit log as cli:USER with --note.
func TestSuppressionCLIAudit(t *testing.T) {
	cfg := suppConfig(t)
	if _, errOut, code := runSupp(t, cfg, "remove", "dead@x.test", "--note", "ticket 12"); code != 0 {
		t.Fatalf("remove: exit %d, %s", code, errOut)
	}
	dir := stateDirOf(t, cfg)
	s, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(dir, "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	es, _, err := s.Audit(context.Background(), suppression.AuditFilter{Subject: "dead@x.test"})
	if err != nil || len(es) != 1 || es[0].Via != suppression.ViaCLI || !strings.HasPrefix(es[0].Actor, "cli:") || es[0].Note != "ticket 12" {
		t.Errorf("audit = %+v, %v; want the CLI's removal with its note", es, err)
	}
}

// stateDirOf reads state_dir back from a config suppConfig wrote.
func stateDirOf(t *testing.T, cfg string) string {
	t.Helper()
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(strings.TrimPrefix(line, "state_dir:"))
}

func TestSuppressionRefusals(t *testing.T) {
	cfg := suppConfig(t)
	out := filepath.Join(t.TempDir(), "list.csv")
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"add", "boss@x.test", "--reason", "r", "--expires", "2020-01-01T00:00:00Z"}, 1, `--expires "2020-01-01T00:00:00Z" is in the past`},
		{[]string{"list", "--class", "bogus"}, 1, `class "bogus": want hard, soft, block or complaint`},
		{[]string{"export", "--format", "bogus", "-o", out}, 1, "bogus"},
	}
	for _, tt := range tests {
		_, errOut, code := runSupp(t, cfg, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.err) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", tt.args, code, errOut, tt.code, tt.err)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed export left %s behind (%v)", out, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 0 {
		t.Errorf("a failed export left %d files (temporary ones included)", len(entries))
	}
	if _, errOut, code := runSupp(t, cfg, "show", "boss@x.test"); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("an add refused for its past expiry still wrote the entry: exit %d, %s", code, errOut)
	}
	if _, _, code := runSupp(t, cfg, "export", "-o", out); code != 0 {
		t.Fatalf("export -o: exit %d", code)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(b), "email,") {
		t.Errorf("export -o wrote %q, %v", b, err)
	}
}

func TestRemoveKeepsManualSource(t *testing.T) {
	cfg := suppConfig(t)
	runSupp(t, cfg, "add", "boss@x.test", "--reason", "asked us")
	runSupp(t, cfg, "remove", "boss@x.test")
	out, _, _ := runSupp(t, cfg, "show", "boss@x.test")
	if !strings.Contains(out, "source:         manual") || !strings.Contains(out, "state:          counting") {
		t.Errorf("show after remove of a manual entry =\n%s\nwant source manual, state counting", out)
	}
}

func TestVersionFlag(t *testing.T) {
	out, _, code := runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "bouncer ") || strings.Count(out, "\n") != 1 {
		t.Errorf("--version = exit %d, %q; want the version line", code, out)
	}
}

func TestCheckReadsStdinAndFile(t *testing.T) {
	cfg := suppConfig(t)
	file := writeFile(t, "list.txt", "# customers\nnew@z.test\n\n  Dead@x.test  # churned\n")
	out, errOut, code := runCLIInput(t, strings.NewReader("full@x.test\nother@z.test\n"),
		"suppression", "check", "-", "--file", file, "first@z.test", "--config", cfg)
	want := []string{"full@x.test", "other@z.test", "first@z.test", "new@z.test", "dead@x.test   suppressed   userunknown"}
	if code != 1 {
		t.Errorf("check - --file: exit %d, %s; want 1 (dead@x.test is suppressed)", code, errOut)
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("check - --file: stdout lacks %q:\n%s", w, out)
		}
	}
	if _, errOut, code := runSupp(t, cfg, "check"); code != exitCheckError || !strings.Contains(errOut, "no address given") {
		t.Errorf("check without addresses: exit %d, %q", code, errOut)
	}
}

func TestImportSaysWhatItKept(t *testing.T) {
	cfg := suppConfig(t)
	file := writeFile(t, "list.csv", "EmailAddress;Reason;LastUpdateTime\ndead@x.test;BOUNCE;\nb@ses.test;BOUNCE;\n")
	out, errOut, code := runSupp(t, cfg, "import", file)
	if code != 0 || !strings.Contains(out, "skipped dead@x.test: already suppressed by bounces (userunknown,") ||
		!strings.Contains(out, "--overwrite replaces it") || !strings.Contains(out, "imported 1 address (ses format)") {
		t.Errorf("import over a bounce: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// A refusal about the operator's input reads as the API's message, without
// the store's "suppression: verb x:" wrapping.
func TestCLIInputErrorsInOperatorsTerms(t *testing.T) {
	cfg := recordedConfig(t, "")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"suppression", "allow", "remove", "nobody.test"}, "bouncer: nobody.test is not on the allowlist\n"},
		{[]string{"suppression", "remove", "nobody@x.test"}, "bouncer: nobody@x.test is not on the suppression list\n"},
		{[]string{"suppression", "show", "not-an-address"}, "bouncer: invalid address \"not-an-address\": no @\n"},
	} {
		_, stderr, code := runCLI(t, append(tt.args, "--config", cfg)...)
		if code == 0 || !strings.HasSuffix(stderr, tt.want) {
			t.Errorf("bouncer %s = exit %d, stderr %q; want it to end %q", strings.Join(tt.args, " "), code, stderr, tt.want)
		}
	}
}
