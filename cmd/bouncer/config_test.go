package main

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/bouncer-mail/bouncer/internal/duration"
)

// writeFile writes content to a new file in a temp dir and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runCLI runs bouncer with args on a fresh command tree and returns stdout,
// stderr and the exit code main would use.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIInput(t, nil, args...)
}

// runCLIInput is runCLI with stdin reading from in (nil: the process's).
func runCLIInput(t *testing.T, in io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetIn(in)
	defer slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	if err := execute(context.Background(), root); err != nil {
		code = reportError(&errb, err)
	}
	return out.String(), errb.String(), code
}

func TestExampleConfigIsValid(t *testing.T) {
	t.Setenv("BOUNCER_IMAP_PASSWORD", "imap-secret")
	cfg, err := readConfig("../../configs/bouncer.example.yaml")
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if len(cfg.MissingSecrets) != 2 { // the POP3 and SMTP env vars are unset
		t.Errorf("missing secrets = %q, want 2 (unset POP3 and SMTP env vars)", cfg.MissingSecrets)
	}
	if got := len(cfg.Mailboxes); got != 2 {
		t.Fatalf("mailboxes = %d, want 2", got)
	}
	imap, pop := cfg.Mailboxes[0], cfg.Mailboxes[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"imap password", imap.Password.Value(), "imap-secret"},
		{"imap after", imap.After, "move"},
		{"pop3 port (starttls)", pop.Port, 110},
		{"pop3 after", pop.After, "delete"},
		{"pop3 folder default", pop.Folder, "INBOX"},
		{"pop3 schedule", pop.Schedule, "*/10 * * * *"},
		{"soft window", cfg.Policy.SoftWindow, 168 * time.Hour},
		{"report location", cfg.Report.Location.String(), cmp.Or(localZoneName(), "Local")},
		{"smtp port", cfg.SMTP.Port, 587},
		{"max message bytes", cfg.DSN.MaxMessageBytes, int64(10 << 20)},
		{"retention of events", cfg.Retention.Events, 400 * 24 * time.Hour},
		{"retention of the ledger", cfg.Retention.Ledger, 90 * 24 * time.Hour},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestShippedConfigsAreValid(t *testing.T) {
	// Their secret files live under /etc; point the keys at real files.
	dir := t.TempDir()
	for _, name := range []string{"bouncer.postgres.yaml", "bouncer.sqlite.yaml"} {
		data, err := os.ReadFile(filepath.Join("../../configs", name))
		if err != nil {
			t.Fatal(err)
		}
		text := strings.ReplaceAll(string(data), "/etc/bouncer/", dir+"/")
		for _, f := range []string{"imap-password", "http-token"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte("s3cret\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := readConfig(writeFile(t, name, text)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestNoConfigFileGivesDefaults(t *testing.T) {
	cfg, err := readConfig("")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Policy.SoftThreshold != 3 || cfg.Poller.BatchSize != 500 || cfg.VERP.Header != "X-Bouncer-ID" ||
		cfg.Alerts.BlockShare != 0.2 || cfg.HTTP.ReadTimeout != 10*time.Second || cfg.Report.Schedule != "0 8 * * *" {
		t.Errorf("defaults not applied: %+v", cfg)
	}
}

func TestConfigCheckNamesEveryProblem(t *testing.T) {
	t.Setenv("X", "")
	path := writeFile(t, "bad.yaml", `
bogus_key: 1
mailboxes:
  - name: a
    protocol: smtp
    host: h
    port: 70000
    username: u
    password_env: X
`)
	_, stderr, code := runCLI(t, "config", "check", "--config", path)
	if code != exitConfig {
		t.Errorf("exit code = %d, want %d", code, exitConfig)
	}
	for _, want := range []string{
		": 4 problems:\n",
		"bogus_key: unknown key",
		`mailboxes[0].protocol: must be imap or pop3, not "smtp"`,
		"mailboxes[0].port: must be 1-65535",
		"mailboxes[0].password_env: environment variable X is not set or empty",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	shortKeyFile := writeFile(t, "verp.keys", "short\n") // a VERP key needs 16 bytes or more
	blankTokenFile := writeFile(t, "token", " \n\n")     // would refuse every request
	adminTokenFile := writeFile(t, "admin-token", "one-token-0123456789\n")
	t.Setenv("BOUNCER_TEST_SAME_TOKEN", "one-token-0123456789")
	mailbox := "mailboxes:\n  - {name: m, protocol: imap, host: h, username: u, password_env: P, %s}\n"
	tests := []struct {
		yaml string
		want string
	}{
		{"policy: {soft_window: 7days}", `policy.soft_window: must be a duration such as 7d, 168h or 90s, not "7days"`},
		{"policy: {soft_window: -1d}", `policy.soft_window: must be a duration such as 7d, 168h or 90s, not "-1d"`},
		{"policy: {soft_treshold: 3}", `policy.soft_treshold: unknown key; did you mean "soft_threshold"?`},
		{"policy: {SoftThreshold: 3}", `policy.SoftThreshold: unknown key; did you mean "soft_threshold"?`},
		{"http: {token: x}", `http.token: unknown key; did you mean "token_file"?`},
		{fmt.Sprintf(mailbox, "processed_folder: INBOX"), `mailboxes[0].processed_folder: "INBOX" is the folder read (folder): processed mail would be read again on every pass`},
		{fmt.Sprintf(mailbox, "folder: Bounces, failed_folder: Bounces"), `mailboxes[0].failed_folder: "Bounces" is the folder read (folder)`},
		{"policy: {hard_threshold: 0}", "policy.hard_threshold: must be 1 or more"},
		{"policy: {soft_threshold: many}", `policy.soft_threshold: must be an integer, not "many"`},
		{"policy: {require_verified: maybe}", `policy.require_verified: must be true or false, not "maybe"`},
		{"policy: [1]", "policy: must be a mapping of keys to values"},
		{"policy: {bogus: 1}", "policy.bogus: unknown key"},
		{"http: {token: x}", "http.token: unknown key"},
		{"report: {schedule: every day}", `report.schedule: invalid schedule "every day"`},
		{"report: {timezone: Mars/Olympus}", `report.timezone: unknown time zone "Mars/Olympus"`},
		{"report: {to: [a@example.com]}", "report.from: required when report.to or alerts.to is set"},
		{"alerts: {to: [a@example.com]}", "report.from: required when report.to or alerts.to is set"},
		{"report: {to: a@example.com}", "report.to: must be a list"},
		{"report: {from: r@example.com, to: [not-an-address]}", `report.to[0]: "not-an-address" is not a plain email address`},
		{"report: {from: r@example.com, to: [a@example.com]}", "smtp.host: required when report.to or alerts.to is set"},
		{"smtp: {host: h, tls: sslv3}", `smtp.tls: must be starttls, implicit, none, not "sslv3"`},
		{"smtp: {host: h, username: u}", "smtp.password: one of password, password_file and password_env is required"},
		{"http: {listen: 8025}", "http.listen: must be host:port"},
		{"http: {listen: '0.0.0.0:8025'}", "http.token_file: required when http.listen (0.0.0.0:8025) is not a loopback address"},
		{"verp: {secret_file: " + shortKeyFile + "}", "verp.secret_file: verp: key too short"},
		{"verp: {header: 'Bad Header'}", "verp.header: must be a header field name"},
		{"http: {listen: '127.0.0.1:1', token_file: " + blankTokenFile + "}", "http.token_file: \"" + blankTokenFile + "\" holds only white space"},
		{"http: {listen: '127.0.0.1:1', token_file: " + adminTokenFile + ", read_token_file: " + adminTokenFile + "}",
			"http.read_token_file: holds the admin token (http.token_file or token_env): the read-only token must be another one"},
		{"http: {listen: '127.0.0.1:1', token_file: " + adminTokenFile + ", read_token_env: BOUNCER_TEST_SAME_TOKEN}", "http.read_token_env: holds the admin token"},
		{"verp: {secret_file: /nonexistent/key}", `verp.secret_file: cannot read "/nonexistent/key": no such file or directory`},
		{"log: {level: loud}", `log.level: must be debug, info, warn, error, not "loud"`},
		{"log: {format: xml}", `log.format: must be text, json, not "xml"`},
		{"dsn: {max_message_bytes: 10}", "dsn.max_message_bytes: must be between 1024 and 1073741824"},
		{"poller: {batch_size: 0}", "poller.batch_size: must be 1-10000"},
		{"alerts: {block_share: 2}", "alerts.block_share: must be between 0 and 1"},
		{"retention: {events: 89d}", "retention.events: must be 0 (keep for ever) or at least 90d"},
		{"retention: {ledger: 6d}", "retention.ledger: must be 0 (keep for ever) or at least 7d"},
		{"retention: {sent: -1d}", "retention.sent: must be a duration such as"},
		{"retention: {events: 100d}\npolicy: {soft_window: 101d}", "retention.events: must be at least policy.soft_window (101d)"},
		{"database: {url: mysql://x}", "database.url: must start with postgres://, postgresql:// or sqlite:"},
		{"database: {url: 'sqlite:'}", "database.url: sqlite: needs a file path"},
		{"database: {url: 'sqlite::memory:'}", "database.url: sqlite: needs a file path"},
		{"database: {url: 'sqlite:/x.db?mode=ro'}", "database.url: sqlite: needs a file path without ? or #"},
		{"mailboxes:\n  - {}", "mailboxes[0].protocol: required (imap or pop3)"},
		{"mailboxes:\n  - {}", "mailboxes[0].name: required"},
		{fmt.Sprintf(mailbox, "port: 0x"), `mailboxes[0].port: must be an integer, not "0x"`},
		{fmt.Sprintf(mailbox, "tls: sslv3"), `mailboxes[0].tls: must be implicit, starttls, none, not "sslv3"`},
		{fmt.Sprintf(mailbox, "tls: none"), `mailboxes[0].tls: none sends the mailbox password in clear: only for a loopback host (localhost, 127.0.0.1, ::1), not "h"`},
		{"policy: {soft_expiry: -1h}", "policy.soft_expiry: must be 0 (never expire) or a positive duration"},
		{fmt.Sprintf(mailbox, "after: archive"), `mailboxes[0].after: must be move, delete, flag, not "archive"`},
		{fmt.Sprintf(mailbox, "schedule: '@every'"), "mailboxes[0].schedule: invalid schedule"},
		{fmt.Sprintf(mailbox, "password: p"), "mailboxes[0].password: set only one of password, password_file and password_env"},
		{fmt.Sprintf(mailbox, "auth: xoauth2"), "mailboxes[0].auth: xoauth2 takes oauth_token_file or oauth_token_command, not a password"},
		{fmt.Sprintf(mailbox, "auth: cram-md5"), `mailboxes[0].auth: must be plain, login, xoauth2, not "cram-md5"`},
		{fmt.Sprintf(mailbox, "oauth_token_file: /t"), "mailboxes[0].auth: must be xoauth2 when oauth_token_file"},
		{fmt.Sprintf(mailbox, "tls_ca_file: /nonexistent/ca.pem"), `mailboxes[0].tls_ca_file: cannot read "/nonexistent/ca.pem"`},
		{fmt.Sprintf(mailbox, "address: 'Bounces <b@example.com>'"), "mailboxes[0].address: \"Bounces <b@example.com>\" is not a plain email address"},
		{"mailboxes:\n  - {name: m, protocol: pop3, host: h, username: u, password_env: P, after: archive}", `mailboxes[0].after: must be delete, move, flag, not "archive"`},
		{"mailboxes:\n  - {name: m, protocol: imap, host: h, username: u, auth: xoauth2}", "mailboxes[0].oauth_token_file: one of oauth_token_file and oauth_token_command is required"},
		{"mailboxes:\n  - {name: m, protocol: imap, host: h, username: u}", "mailboxes[0].password: one of password, password_file and password_env is required"},
		{"mailboxes:\n  - {name: m, protocol: imap, host: h, username: u, password_env: P}\n  - {name: m, protocol: imap, host: h, username: u, password_env: P}", `mailboxes[1].name: "m" is already the name of mailboxes[0]`},
		{"state_dir: /x\nstate_dir: /y", "state_dir: key appears twice"},
	}
	for _, tt := range tests {
		_, err := readConfig(writeFile(t, "c.yaml", tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("readConfig(%q) error = %v, want it to contain %q", tt.yaml, err, tt.want)
		}
	}
}

func TestConfigMergeKeysAndEmptyFiles(t *testing.T) {
	cfg, err := readConfig(writeFile(t, "c.yaml", `
mailboxes:
  - &base {name: a, protocol: imap, host: h.example, username: u, password_env: P, schedule: "@hourly"}
  - <<: *base
    name: b
    host: other.example
`))
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Mailboxes[1]
	if b.Name != "b" || b.Host != "other.example" || b.Schedule != "@hourly" || b.Username != "u" {
		t.Errorf("merged mailbox = %+v, want base keys with name and host overridden", b)
	}
	for _, text := range []string{"", "# only a comment\n"} {
		if _, err := readConfig(writeFile(t, "c.yaml", text)); err != nil {
			t.Errorf("readConfig(%q) = %v, want the defaults", text, err)
		}
	}
	if _, err := readConfig(writeFile(t, "c.yaml", "just a string")); err == nil || !strings.Contains(err.Error(), "must be a mapping") {
		t.Errorf("readConfig of a scalar = %v, want a mapping error", err)
	}
}

func TestConfigAliasBombIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("x0: &a0 {host: h}\n")
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&b, "x%d: &a%d\n  <<: [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(fmt.Sprintf("*a%d, ", i-1), 10), ", "))
	}
	b.WriteString("mailboxes:\n  - <<: *a9\n")
	_, err := readConfig(writeFile(t, "bomb.yaml", b.String()))
	if err == nil || !strings.Contains(err.Error(), "mailboxes[0].host: too many values") {
		t.Errorf("readConfig(alias bomb) = %v, want a too-many-values error", err)
	}
}

func TestSecretFileChecks(t *testing.T) {
	dir := t.TempDir()
	loose := filepath.Join(dir, "loose")
	os.WriteFile(loose, []byte("pw\n"), 0o644)
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, maxSecretFileSize+1), 0o600)
	tests := []struct{ file, want string }{
		{dir, fmt.Sprintf("verp.secret_file: %q is not a regular file", dir)},
		{big, fmt.Sprintf("verp.secret_file: %q is larger than 65536 bytes", big)},
		{loose, fmt.Sprintf("verp.secret_file: %q is readable by group or others (mode 0644); chmod 600 it", loose)},
	}
	for _, tt := range tests {
		cfg, err := readConfig(writeFile(t, "c.yaml", "verp: {secret_file: "+tt.file+"}"))
		got := fmt.Sprint(err)
		if cfg != nil {
			got += strings.Join(cfg.Warnings, "\n")
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("secret_file %s: got %q, want %q", tt.file, got, tt.want)
		}
	}
}

func TestConfigFriendlyValues(t *testing.T) {
	cfg, err := readConfig(writeFile(t, "c.yaml", `
mailboxes:
  - {name: m, protocol: imap, host: h, username: u, password_env: P, tls: SSL, after: flag, processed_folder: INBOX}
smtp: {host: h, tls: tls}
policy: {soft_window: 7d, soft_expiry: 1d12h}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Mailboxes[0].TLS != "implicit" || cfg.SMTP.TLS != "implicit" || cfg.SMTP.Port != 465 || cfg.Mailboxes[0].Port != 993 {
		t.Errorf("tls ssl/tls = %q %q ports %d %d, want implicit on 993 and 465", cfg.Mailboxes[0].TLS, cfg.SMTP.TLS, cfg.Mailboxes[0].Port, cfg.SMTP.Port)
	}
	notes := strings.Join(cfg.Warnings, "\n")
	for _, want := range []string{`mailboxes[0].tls: "SSL" read as implicit`, `smtp.tls: "tls" read as implicit`} {
		if !strings.Contains(notes, want) {
			t.Errorf("warnings lack %q:\n%s", want, notes)
		}
	}
	if cfg.Policy.SoftWindow != 7*24*time.Hour || cfg.Policy.SoftExpiry != 36*time.Hour {
		t.Errorf("soft_window 7d, soft_expiry 1d12h = %v, %v", cfg.Policy.SoftWindow, cfg.Policy.SoftExpiry)
	}
}

func TestConfigProblemReportedOnce(t *testing.T) {
	for yaml, key := range map[string]string{
		"policy: {soft_threshold: many}": "policy.soft_threshold",
		"smtp: {host: h, tls: sslv3}":    "smtp.", // not smtp.port as well
	} {
		_, err := readConfig(writeFile(t, "c.yaml", yaml))
		if n := strings.Count(err.Error(), key); n != 1 {
			t.Errorf("readConfig(%q): %s reported %d times, want 1:\n%v", yaml, key, n, err)
		}
	}
}

func TestConfigValidValues(t *testing.T) {
	cfg, err := readConfig(writeFile(t, "c.yaml", `
database: {url: "sqlite:/tmp/x.db", case_sensitive_local_part: true}
mailboxes:
  - {name: o, protocol: imap, host: h, username: u, auth: xoauth2, oauth_token_command: "echo t", schedule: "@hourly"}
  - {name: s, protocol: imap, host: h, tls: starttls, username: u, password_env: P, schedule: "*/5 * * * *", after: flag}
  - {name: l, protocol: pop3, host: 127.0.0.1, tls: none, username: u, password_env: P}
report: {timezone: Europe/Paris, schedule: "30 7 * * 1-5"}
alerts: {poll_failures: 0, block_share: 0, silent_days: 0}
policy: {soft_expiry: 0s}
http: {listen: "127.0.0.1:8025", read_timeout: 90s}
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Mailboxes[1].Port; got != 143 {
		t.Errorf("starttls imap port = %d, want 143", got)
	}
	if got := cfg.Report.Location.String(); got != "Europe/Paris" {
		t.Errorf("report location = %q, want Europe/Paris", got)
	}
	if got := cfg.Policy.SoftExpiry; got != 0 {
		t.Errorf("soft_expiry = %v, want 0 (never)", got)
	}
	if got := cfg.HTTP.ReadTimeout; got != 90*time.Second {
		t.Errorf("read timeout = %v, want 90s", got)
	}
	if want := `http.token_file: not set: the API at 127.0.0.1:8025 accepts requests without a token`; len(cfg.Warnings) != 1 || cfg.Warnings[0] != want {
		t.Errorf("warnings = %q, want [%q]", cfg.Warnings, want)
	}
	if want := "mailboxes[1].password_env: environment variable P is not set or empty"; len(cfg.MissingSecrets) != 2 || cfg.MissingSecrets[0].Error() != want {
		t.Errorf("missing secrets = %q, want P unset twice, first %q", cfg.MissingSecrets, want)
	}
}

func TestSecretsNeverPrinted(t *testing.T) {
	const plain, fromFile, fromEnv, token = "plain-Zq81", "file-Wy27", "env-Xk93", "token-Vb55"
	const verpKey = "verpkey-Lm73-0123456789" // a VERP key needs 16 bytes or more
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "verp.keys")
	os.WriteFile(keyFile, []byte(verpKey+"\n"), 0o600)
	pwFile := filepath.Join(dir, "pw")
	tokFile := filepath.Join(dir, "tok")
	os.WriteFile(pwFile, []byte(fromFile+"\n"), 0o600)
	os.WriteFile(tokFile, []byte(token), 0o600)
	t.Setenv("BOUNCER_TEST_SMTP_PW", fromEnv)
	path := writeFile(t, "c.yaml", fmt.Sprintf(`
database: {url: "postgres://bouncer:dbpass-Qr42@db/bouncer"}
mailboxes:
  - {name: a, protocol: imap, host: h, username: u, password: %s}
  - {name: b, protocol: pop3, host: h, username: u, password_file: %s}
smtp: {host: h, username: u, password_env: BOUNCER_TEST_SMTP_PW}
http: {listen: "127.0.0.1:1", token_file: %s}
verp: {secret_file: %s}
log: {format: json}
`, plain, pwFile, tokFile, keyFile))
	stdout, stderr, code := runCLI(t, "config", "check", "--config", path)
	if code != 0 {
		t.Fatalf("config check exit %d:\n%s", code, stderr)
	}
	cfg, err := readConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	var logged bytes.Buffer
	newLoggerTo(&logged, LogConfig{Format: "json"}).Info("cfg", "smtp", cfg.SMTP, "password", cfg.SMTP.Password)
	dumps := stdout + stderr + logged.String() + fmt.Sprintf("%v %+v %#v %v", cfg, *cfg, *cfg, cfg.Mailboxes)
	for _, secret := range []string{plain, fromFile, fromEnv, token, verpKey, "dbpass-Qr42"} {
		if strings.Contains(dumps, secret) {
			t.Errorf("secret %q printed:\n%s", secret, dumps)
		}
	}
	if n := strings.Count(stdout, "(set)"); n != 5 {
		t.Errorf("(set) appears %d times in config check output, want 5:\n%s", n, stdout)
	}
	if !strings.Contains(stderr, "mailboxes[0].password: plain password in the config file") {
		t.Errorf("no plain-password warning on stderr:\n%s", stderr)
	}
	got := []string{cfg.Mailboxes[0].Password.Value(), cfg.Mailboxes[1].Password.Value(), cfg.SMTP.Password.Value(), cfg.HTTP.Token.Value()}
	want := []string{plain, fromFile, fromEnv, token}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("resolved secrets = %q, want %q", got, want)
	}
}

func TestFindConfig(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	explicit := writeFile(t, "x.yaml", "")
	tests := []struct {
		flag, env string
		local     bool // ./bouncer.yaml exists
		want      string
		wantErr   bool
	}{
		{flag: explicit, env: "/nonexistent", want: explicit},
		{env: explicit, local: true, want: explicit},
		{local: true, want: "bouncer.yaml"},
		{want: ""}, // assumes no /etc/bouncer/bouncer.yaml on the test machine
		{flag: "/nonexistent.yaml", wantErr: true},
		{env: "/nonexistent.yaml", wantErr: true},
	}
	for _, tt := range tests {
		os.Remove("bouncer.yaml")
		if tt.local {
			os.WriteFile("bouncer.yaml", nil, 0o600)
		}
		got, err := findConfig(tt.flag, tt.env)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("findConfig(%q, %q) with local=%v = %q, %v; want %q, error %v", tt.flag, tt.env, tt.local, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDefaultStateDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/xdg/state")
	if got := defaultStateDir(); got != "/xdg/state/bouncer" {
		t.Errorf("defaultStateDir() = %q, want /xdg/state/bouncer", got)
	}
}

// Every key a config file may hold appears in the example (as a key or in a
// comment), so a key added to Config without documentation fails here.
func TestExampleDocumentsEveryKey(t *testing.T) {
	example, err := os.ReadFile("../../configs/bouncer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range configKeys(reflect.TypeFor[Config](), "") {
		leaf := key[strings.LastIndex(key, ".")+1:]
		if !bytes.Contains(example, []byte(leaf+":")) {
			t.Errorf("configs/bouncer.example.yaml does not document %s", key)
		}
	}
}

// configKeys lists the key paths a file may set, as fieldByKey accepts them.
func configKeys(t reflect.Type, prefix string) []string {
	var keys []string
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if name == "-" || name == "" || sf.Tag.Get("config") == "derived" {
			continue
		}
		key := joinPath(prefix, name)
		keys = append(keys, key)
		ft := sf.Type
		if ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft != secretType {
			keys = append(keys, configKeys(ft, key)...)
		}
	}
	return keys
}

// TestMissingPasswordEnvRefusesToStart checks a password_env, token_env or
// secret_env naming an unset variable stops the commands that use secrets
// (config check, poll, run, report send) with exit 78 naming the variable,
// instead of starting with an empty password, while a read command still
// runs (the variable lives in the service's environment, not the shell's)
// and says nothing of the secrets it does not use.
func TestMissingPasswordEnvRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	cfg := writeFile(t, "c.yaml", fmt.Sprintf(`state_dir: %s
mailboxes:
  - {name: m, protocol: imap, host: 127.0.0.1, port: 1, username: u, password_env: BOUNCER_TEST_UNSET_PW}
http: {listen: "127.0.0.1:0", token_env: BOUNCER_TEST_UNSET_TOKEN}
`, dir))
	for _, args := range [][]string{{"config", "check"}, {"poll", "--once"}, {"run"}} {
		_, errOut, code := runCLI(t, append(args, "--config", cfg)...)
		for _, want := range []string{"mailboxes[0].password_env: environment variable BOUNCER_TEST_UNSET_PW is not set or empty",
			"http.token_env: environment variable BOUNCER_TEST_UNSET_TOKEN is not set or empty"} {
			if code != exitConfig || strings.Count(errOut, want) != 1 || !strings.Contains(errOut, ": 2 secrets missing:\n") {
				t.Errorf("%v: exit %d, stderr %q; want %d, '2 secrets missing' and %q once", args, code, errOut, exitConfig, want)
			}
		}
	}
	// A command that uses none of those secrets says nothing of them: a
	// sending app's per-send check must not print two warnings each time.
	for _, args := range [][]string{{"migrate"}, {"suppression", "check", "someone@example.com"}, {"suppression", "list"}} {
		if _, errOut, code := runCLI(t, append(args, "--config", cfg)...); code != 0 || errOut != "" {
			t.Errorf("%v with the mailbox and API secrets unset: exit %d, stderr %q; want 0 and nothing on stderr", args, code, errOut)
		}
	}
	// One that uses the verp secret (parse checks signed return paths)
	// warns about that one only.
	verpCfg := writeFile(t, "v.yaml", fmt.Sprintf(`state_dir: %s
mailboxes:
  - {name: m, protocol: imap, host: 127.0.0.1, port: 1, username: u, password_env: BOUNCER_TEST_UNSET_PW}
verp: {secret_env: BOUNCER_TEST_UNSET_VERP}
`, dir))
	_, errOut, code := runCLI(t, "parse", "--config", verpCfg, "../../dsn/testdata/corpus/sisimai/lhost-postfix-02.eml")
	if want := "verp.secret_env: environment variable BOUNCER_TEST_UNSET_VERP is not set or empty"; code != 0 ||
		strings.Count(errOut, want) != 1 || strings.Contains(errOut, "BOUNCER_TEST_UNSET_PW") {
		t.Errorf("parse with verp.secret_env unset: exit %d, stderr %q; want 0 and %q once, nothing of the mailbox", code, errOut, want)
	}
	t.Setenv("BOUNCER_TEST_UNSET_PW", "pw")
	t.Setenv("BOUNCER_TEST_UNSET_TOKEN", "a-token-of-some-length")
	if _, errOut, code := runCLI(t, "config", "check", "--config", cfg); code != 0 {
		t.Errorf("config check with the variables set: exit %d, %s", code, errOut)
	}
}

// TestTokenAndSecretFromEnv checks http.token_env and verp.secret_env stand
// in for the files, and that setting both forms is an error.
func TestTokenAndSecretFromEnv(t *testing.T) {
	t.Setenv("BOUNCER_TEST_TOKEN", "tok-Hq72-0123456789")
	t.Setenv("BOUNCER_TEST_VERP", "verpkey-Lm73-0123456789")
	cfg, err := readConfig(writeFile(t, "c.yaml", `
http: {listen: "0.0.0.0:8025", token_env: BOUNCER_TEST_TOKEN}
verp: {secret_env: BOUNCER_TEST_VERP}
`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.HTTP.Token.Value() != "tok-Hq72-0123456789" || cfg.VERP.Secret.Value() != "verpkey-Lm73-0123456789" {
		t.Errorf("token %v, verp secret %v: want both from the environment", cfg.HTTP.Token.IsSet(), cfg.VERP.Secret.IsSet())
	}
	_, err = readConfig(writeFile(t, "c.yaml", "http: {listen: '127.0.0.1:8025', token_env: X, token_file: /y}\nverp: {secret_env: X, secret_file: /y}\n"))
	for _, want := range []string{"http.token_env: set only one of token_file and token_env", "verp.secret_env: set only one of secret_file and secret_env"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("both forms set: error %v, want %q", err, want)
		}
	}
}

func TestRedactURLHidesEveryCredential(t *testing.T) {
	const secret = "SECRET-Pw9"
	for _, u := range []string{
		"postgres://bouncer:" + secret + "@db/bouncer",
		"postgres://bouncer@db/bouncer?password=" + secret,
		"postgresql://db/bouncer?sslmode=verify-full&sslpassword=" + secret + "&user=b",
		"postgres://db/bouncer?PASSWORD=" + secret,
		"postgres://b:" + secret + "@db/x?password=" + secret,
		"postgres://db/x?password=" + secret + "%zz", // does not parse
	} {
		got := redactURL(u)
		if strings.Contains(got, secret) {
			t.Errorf("redactURL(%q) = %q: shows the secret", u, got)
		}
	}
	if got := redactURL("postgres://db/x?sslmode=require&user=b"); got != "postgres://db/x?sslmode=require&user=b" {
		t.Errorf("redactURL without credentials = %q, want it unchanged", got)
	}
	cfg, err := readConfig(writeFile(t, "c.yaml", "database: {url: 'postgres://db/x?password="+secret+"'}"))
	if err != nil || !strings.Contains(strings.Join(cfg.Warnings, "\n"), "database.url: contains a password") {
		t.Errorf("a password as query parameter: err %v, warnings %q; want the password warning", err, cfg.Warnings)
	}
}

func TestConfigSyntaxErrorNamesTheLineToFix(t *testing.T) {
	tests := []struct{ yaml, want string }{
		// go-yaml names the line before the enclosing block for these
		{"log:\n  level: info\n  format: text\n format2: x\n", "line 4: did not find expected key"},
		{"a: 1\nb: 2\nc: 3\npolicy: [1\nd: 5\n", "line 4: did not find expected ',' or ']'"},
		{"log:\n  level: info\npolicy:\n\tsoft: 1\n", "line 4: found character that cannot start any token"},
	}
	for _, tt := range tests {
		_, err := readConfig(writeFile(t, "c.yaml", tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("readConfig(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}

func TestConfigCheckSaysOK(t *testing.T) {
	path := writeFile(t, "c.yaml", "mailboxes:\n  - {name: m, protocol: imap, host: h, username: u, password_env: P, tls: ssl}\n")
	t.Setenv("P", "x")
	_, stderr, code := runCLI(t, "config", "check", "--config", path)
	if code != 0 || !strings.HasSuffix(stderr, "config OK: "+path+" (1 warning above)\n") {
		t.Errorf("config check = exit %d, stderr %q; want a last OK line", code, stderr)
	}
}

// TestLocalTimezoneIsNamed checks timezone: Local (the default) resolves to
// the zone's IANA name, so the report says "Europe/Paris", not "Local".
func TestLocalTimezoneIsNamed(t *testing.T) {
	t.Setenv("TZ", "Europe/Paris")
	cfg, err := readConfig(writeFile(t, "c.yaml", "report: {timezone: Local}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Report.Location.String(); got != "Europe/Paris" {
		t.Errorf("timezone Local with TZ=Europe/Paris = %q, want Europe/Paris", got)
	}
}

// TestConfigCheckPrintsDurationsAsWritten checks that config check prints
// each duration the way the file takes it (90d, not 2160h0m0s), in
// sections and in lists, and that each printed value reads back as itself.
func TestConfigCheckPrintsDurationsAsWritten(t *testing.T) {
	secret := writeFile(t, "whsec", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
	path := writeFile(t, "c.yaml", fmt.Sprintf(`
policy: {soft_window: 36h, soft_expiry: 0}
retention: {events: 90d, ledger: 7d12h}
webhooks:
  - {name: app, url: "https://hooks.example.com/x", secret_file: %s, timeout: 90s, max_age: 2d12h}
`, secret))
	stdout, stderr, code := runCLI(t, "config", "check", "--config", path)
	if code != 0 {
		t.Fatalf("config check exit %d:\n%s", code, stderr)
	}
	for key, want := range map[string]string{
		"soft_window": "36h", "events": "90d", "ledger": "7d12h", "sent": "400d",
		"read_timeout": "10s", "timeout": "1m30s", "max_age": "2d12h",
	} {
		line := key + ": " + want + "\n"
		if !strings.Contains(stdout, " "+line) {
			t.Errorf("config check prints no %q:\n%s", line, stdout)
		}
		if _, err := duration.Parse(want); err != nil {
			t.Errorf("printed %s %q does not read back: %v", key, want, err)
		}
	}
	if strings.Contains(stdout, "0m0s") {
		t.Errorf("config check prints Go durations:\n%s", stdout)
	}
}

// config check says what a zero duration means where 0 is not "no time"
// (keep for ever, never expire), and prints the database bouncer uses when
// the file names none (the SQLite file in state_dir) marked as the
// default; the output still reads back as YAML with the same values.
func TestConfigCheckPrintsMeaning(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, "c.yaml", fmt.Sprintf("state_dir: %s\npolicy: {soft_expiry: 0}\nretention: {events: 0, sent: 0}\n", dir))
	t.Setenv("BOUNCER_DATABASE_URL", "")
	stdout, stderr, code := runCLI(t, "config", "check", "--config", path)
	if code != 0 {
		t.Fatalf("config check exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"  url: sqlite:" + filepath.Join(dir, "bouncer.db") + " # the default: SQLite in state_dir\n",
		"  soft_expiry: 0 # never expire\n",
		"  events: 0 # keep for ever\n",
		"  ledger: 90d\n",
		"  sent: 0 # keep for ever\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config check prints no %q:\n%s", want, stdout)
		}
	}
	var back struct {
		Policy struct {
			SoftExpiry any `yaml:"soft_expiry"`
		} `yaml:"policy"`
		Retention struct{ Events any } `yaml:"retention"`
	}
	if err := yaml.Unmarshal([]byte(stdout), &back); err != nil || back.Policy.SoftExpiry != 0 || back.Retention.Events != 0 {
		t.Errorf("config check output reads back as soft_expiry %v, events %v, %v; want 0, 0", back.Policy.SoftExpiry, back.Retention.Events, err)
	}
	// A database the file names prints as it is, without the mark.
	path = writeFile(t, "d.yaml", "database: {url: \"sqlite:/srv/b.db\"}\n")
	if stdout, _, _ := runCLI(t, "config", "check", "--config", path); !strings.Contains(stdout, "  url: sqlite:/srv/b.db\n") {
		t.Errorf("config check with database.url set:\n%s", stdout)
	}
}

// TestConfigWarningsOnce checks that each command logs the configuration's
// warnings once, also those that read the configuration before opening the
// store (rates, prune).
func TestConfigWarningsOnce(t *testing.T) {
	cfg := recordedConfig(t, "mailboxes:\n  - {name: m, protocol: imap, host: h, username: u, password: plain-pw}\n")
	for _, args := range [][]string{
		{"rates"}, {"prune", "--dry-run"}, {"status", "x@y.test"}, {"suppression", "list"}, {"sent", "add", "--stream", "a", "--count", "1"},
	} {
		_, stderr, code := runCLI(t, append(args, "--config", cfg)...)
		if n := strings.Count(stderr, "plain password in the config file"); code != 0 || n != 1 {
			t.Errorf("bouncer %s: exit %d, the warning %d times, want once:\n%s", strings.Join(args, " "), code, n, stderr)
		}
	}
}

// config check reports every problem in one run: an unknown key, a
// webhook's http URL to a private address and two unset *_env secrets
// together, not the secrets only once the rest is fixed.
func TestConfigCheckReportsEveryProblemAtOnce(t *testing.T) {
	t.Setenv("BOUNCER_TEST_UNSET_IMAP", "")
	t.Setenv("BOUNCER_TEST_UNSET_HOOK", "")
	cfg := writeFile(t, "b.yaml", `mailboxes:
  - name: main
    protocol: imap
    host: mail.example.com
    username: bounces@example.com
    password_env: BOUNCER_TEST_UNSET_IMAP
    adress: bounces@example.com
webhooks:
  - name: app
    url: http://10.0.0.5/hook
    secret_env: BOUNCER_TEST_UNSET_HOOK
`)
	_, stderr, code := runCLI(t, "config", "check", "--config", cfg)
	if code != exitConfig {
		t.Fatalf("config check: exit %d, want %d\n%s", code, exitConfig, stderr)
	}
	for _, want := range []string{"4 problems", "mailboxes[0].adress", "webhooks[0].url: must be https",
		"BOUNCER_TEST_UNSET_IMAP is not set", "BOUNCER_TEST_UNSET_HOOK is not set"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("config check output lacks %q:\n%s", want, stderr)
		}
	}
}

// TestConfigWarnsShortTokens: nothing slows down guesses at the API or the
// sign-in page, so a token shorter than minTokenLen warns, naming its key
// and never its value; a long one does not.
func TestConfigWarnsShortTokens(t *testing.T) {
	t.Setenv("BOUNCER_TEST_READ_TOKEN", "r3ad")
	cfg, err := readConfig(writeFile(t, "c.yaml", "http: {listen: '127.0.0.1:8025', token_file: "+writeFile(t, "tok", "hunter2\n")+
		", read_token_env: BOUNCER_TEST_READ_TOKEN, metrics_token_file: "+writeFile(t, "m", "0123456789abcdef0123")+"}\n"))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(cfg.Warnings, "\n")
	for _, want := range []string{"http.token_file: the token is 7 characters", "http.read_token_env: the token is 4 characters"} {
		if !strings.Contains(notes, want) {
			t.Errorf("warnings lack %q:\n%s", want, notes)
		}
	}
	if strings.Contains(notes, "metrics_token") || strings.Contains(notes, "hunter2") || strings.Contains(notes, "r3ad") {
		t.Errorf("warnings name a long token or print a value:\n%s", notes)
	}
}

// TestConfigReadTokenNeedsToken: a read-only token without an admin token
// protects nothing (the API takes changes from every caller, the read
// token's holders included), so it is an error naming the key set.
func TestConfigReadTokenNeedsToken(t *testing.T) {
	t.Setenv("BOUNCER_TEST_READ_TOKEN", "0123456789abcdef0123")
	for key, setting := range map[string]string{
		"http.read_token_file": "read_token_file: " + writeFile(t, "r", "0123456789abcdef0123"),
		"http.read_token_env":  "read_token_env: BOUNCER_TEST_READ_TOKEN",
	} {
		_, err := readConfig(writeFile(t, "c.yaml", "http: {listen: '127.0.0.1:8025', "+setting+"}\n"))
		if err == nil || !strings.Contains(err.Error(), key+": needs http.token_file") {
			t.Errorf("%s without token_file: err = %v, want one naming %s", key, err, key)
		}
	}
	cfg, err := readConfig(writeFile(t, "ok.yaml", "http: {listen: '127.0.0.1:8025', token_file: "+writeFile(t, "a", "abcdef0123456789abcd")+
		", read_token_file: "+writeFile(t, "r2", "0123456789abcdef0123")+"}\n"))
	if err != nil || !cfg.HTTP.ReadToken.IsSet() {
		t.Errorf("read_token_file with token_file: err = %v, read token set %v", err, cfg != nil && cfg.HTTP.ReadToken.IsSet())
	}
}
