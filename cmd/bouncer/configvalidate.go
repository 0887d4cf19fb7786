package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/bouncer-mail/bouncer/internal/netaddr"
	"github.com/bouncer-mail/bouncer/internal/verp"
	"github.com/bouncer-mail/bouncer/notify"
	"github.com/robfig/cron/v3"
)

// cronParser accepts standard 5-field specs and descriptors (@daily,
// @every 2m), the forms bouncer's scheduler runs.
var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// validate checks every section, fills defaults that depend on other keys
// and resolves secrets and the timezone. It records every problem in p.
func (c *Config) validate(p *configProblems) {
	if c.StateDir == "" {
		p.errorf("state_dir", "must not be empty")
	}
	c.Database.validate(p)
	for i := range c.Mailboxes {
		c.Mailboxes[i].validate(fmt.Sprintf("mailboxes[%d]", i), p)
	}
	uniqueNames(p, "mailboxes", len(c.Mailboxes), func(i int) string { return c.Mailboxes[i].Name })
	c.Policy.validate(p)
	mails := len(c.Report.To) > 0 || len(c.Alerts.To) > 0
	c.Report.validate(p, mails)
	c.SMTP.validate(p, mails)
	c.HTTP.validate(p)
	c.VERP.validate(p)
	if h := c.Streams.Header; h != "" && !headerName(h) {
		p.errorf("streams.header", "must be a header field name such as X-Bouncer-Stream")
	}
	c.Log.validate(p)
	if c.DSN.MaxMessageBytes < 1024 || c.DSN.MaxMessageBytes > 1<<30 {
		p.errorf("dsn.max_message_bytes", "must be between 1024 and 1073741824")
	}
	if c.Poller.BatchSize < 1 || c.Poller.BatchSize > 10000 {
		p.errorf("poller.batch_size", "must be 1-10000")
	}
	c.Alerts.validate(p)
	c.Retention.validate(p, c.Policy)
	c.validateWebhooks(p)
	c.Rates.validate(p)
}

func (d *DatabaseConfig) validate(p *configProblems) {
	u := d.URL
	switch {
	case u == "":
	case strings.HasPrefix(u, "postgres://"), strings.HasPrefix(u, "postgresql://"):
		if pu, err := url.Parse(u); err != nil {
			p.errorf("database.url", "not a valid URL: %v", errors.Unwrap(err))
		} else if _, has := pu.User.Password(); has || redactURL(u) != pu.Redacted() {
			p.warnf("database.url", "contains a password; prefer PGPASSWORD or ~/.pgpass")
		}
	case strings.HasPrefix(u, "sqlite:"):
		if path, _ := sqlitePath(u); path == "" || path == ":memory:" || strings.ContainsAny(path, "?#") {
			p.errorf("database.url", "sqlite: needs a file path without ? or #, e.g. sqlite:/var/lib/bouncer/bouncer.db")
		}
	default:
		p.errorf("database.url", "must start with postgres://, postgresql:// or sqlite:")
	}
}

func (m *MailboxConfig) validate(path string, p *configProblems) {
	at := func(key string) string { return path + "." + key }
	if m.Name == "" {
		p.errorf(at("name"), "required")
	}
	if m.Host == "" {
		p.errorf(at("host"), "required")
	}
	if m.Username == "" {
		p.errorf(at("username"), "required")
	}
	m.TLS = implicitAlias(p, at("tls"), m.TLS)
	oneOf(p, at("tls"), m.TLS, "implicit", "starttls", "none")
	if m.TLS == "none" && m.Host != "" && !netaddr.Loopback(m.Host) {
		p.errorf(at("tls"), "none sends the mailbox password in clear: only for a loopback host (localhost, 127.0.0.1, ::1), not %q; use implicit or starttls", m.Host)
	}
	oneOf(p, at("auth"), m.Auth, "plain", "login", "xoauth2")
	switch m.Protocol {
	case "imap":
		m.Port = defaultPort(m.Port, m.TLS, 993, 143)
		if m.After == "" {
			m.After = "move"
		}
		oneOf(p, at("after"), m.After, "move", "delete", "flag")
	case "pop3":
		m.Port = defaultPort(m.Port, m.TLS, 995, 110)
		if m.After == "" {
			m.After = "delete"
		}
		// POP3 has no folders: move means delete after the commit; flag
		// leaves the message on the server and skips it by UIDL later.
		oneOf(p, at("after"), m.After, "delete", "move", "flag")
	case "":
		p.errorf(at("protocol"), "required (imap or pop3)")
	default:
		p.errorf(at("protocol"), "must be imap or pop3, not %q", m.Protocol)
	}
	checkPort(p, at("port"), m.Port)
	if m.Protocol == "imap" {
		m.checkFolders(p, at)
	}
	checkFile(p, at("tls_ca_file"), m.TLSCAFile)
	checkSchedule(p, at("schedule"), m.Schedule)
	if m.Address != "" {
		checkAddress(p, at("address"), m.Address)
	}
	m.validateAuth(path, p)
}

// checkFolders refuses a processed or failed folder that is the folder
// read: its messages would be fetched again on every pass, for ever.
func (m *MailboxConfig) checkFolders(p *configProblems, at func(string) string) {
	if m.After == "move" && sameFolder(m.ProcessedFolder, m.Folder) {
		p.errorf(at("processed_folder"), "%q is the folder read (folder): processed mail would be read again on every pass", m.ProcessedFolder)
	}
	if sameFolder(m.FailedFolder, m.Folder) {
		p.errorf(at("failed_folder"), "%q is the folder read (folder): unparseable mail would be read again on every pass", m.FailedFolder)
	}
}

// sameFolder compares IMAP folder names: exactly, but INBOX in any case.
func sameFolder(a, b string) bool {
	return a == b || strings.EqualFold(a, "INBOX") && strings.EqualFold(b, "INBOX")
}

// implicitAlias maps "ssl" and "tls", which other programs use for TLS
// from the first byte, onto "implicit", with a note.
func implicitAlias(p *configProblems, path, v string) string {
	if l := strings.ToLower(v); l == "ssl" || l == "tls" {
		p.warnf(path, "%q read as implicit (TLS from the first byte); write implicit to silence this note", v)
		return "implicit"
	}
	return v
}

func (m *MailboxConfig) validateAuth(path string, p *configProblems) {
	if m.Auth != "xoauth2" {
		m.Password = resolvePassword(p, path, m.Password, m.PasswordFile, m.PasswordEnv, true)
		if m.OAuthTokenFile != "" || m.OAuthTokenCommand != "" {
			p.errorf(path+".auth", "must be xoauth2 when oauth_token_file or oauth_token_command is set")
		}
		return
	}
	if m.Password.IsSet() || m.PasswordFile != "" || m.PasswordEnv != "" {
		p.errorf(path+".auth", "xoauth2 takes oauth_token_file or oauth_token_command, not a password")
	}
	switch {
	case m.OAuthTokenFile == "" && m.OAuthTokenCommand == "":
		p.errorf(path+".oauth_token_file", "one of oauth_token_file and oauth_token_command is required with auth xoauth2")
	case m.OAuthTokenFile != "" && m.OAuthTokenCommand != "":
		p.errorf(path+".oauth_token_command", "set only one of oauth_token_file and oauth_token_command")
	}
}

func (c *PolicyConfig) validate(p *configProblems) {
	atLeastOne(p, "policy.hard_threshold", c.HardThreshold)
	atLeastOne(p, "policy.soft_threshold", c.SoftThreshold)
	atLeastOne(p, "policy.complaint_threshold", c.ComplaintThreshold)
	positive(p, "policy.soft_window", c.SoftWindow)
	if c.SoftExpiry < 0 {
		p.errorf("policy.soft_expiry", "must be 0 (never expire) or a positive duration")
	}
}

// reportLocation loads a report.timezone; "Local" is loaded under the
// local zone's IANA name when it can be found, so the report prints it.
func reportLocation(name string) (*time.Location, error) {
	if name == "Local" {
		if zone := localZoneName(); zone != "" {
			if named, err := time.LoadLocation(zone); err == nil {
				return named, nil
			}
		}
	}
	return time.LoadLocation(name)
}

// localZoneName returns the IANA name of the local time zone: $TZ, else
// the target of /etc/localtime, else /etc/timezone; "" when none names it.
func localZoneName() string {
	if tz, ok := os.LookupEnv("TZ"); ok {
		tz = strings.TrimPrefix(tz, ":")
		if tz == "" {
			return "UTC"
		}
		if strings.HasPrefix(tz, "/") {
			_, tz, _ = strings.Cut(tz, "zoneinfo/")
		}
		return tz
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(target, "zoneinfo/"); ok {
			return name
		}
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return ""
}

// validate checks the report; From is required when anything is mailed
// (alerts are sent from it too).
func (c *ReportConfig) validate(p *configProblems, mails bool) {
	checkSchedule(p, "report.schedule", c.Schedule)
	loc, err := reportLocation(c.Timezone)
	if err != nil {
		p.errorf("report.timezone", "unknown time zone %q", c.Timezone)
		loc = time.UTC
	}
	c.Location = loc
	for i, a := range c.To {
		checkAddress(p, fmt.Sprintf("report.to[%d]", i), a)
	}
	if c.From != "" {
		checkAddress(p, "report.from", c.From)
	} else if mails {
		p.errorf("report.from", "required when report.to or alerts.to is set")
	}
	if c.TemplateDir != "" {
		if fi, err := os.Stat(c.TemplateDir); err != nil || !fi.IsDir() {
			p.errorf("report.template_dir", "%q is not a readable directory", c.TemplateDir)
		} else if _, err := notify.LoadTemplates(c.TemplateDir); err != nil {
			p.errorf("report.template_dir", "%v", err)
		}
	}
}

func (c *SMTPConfig) validate(p *configProblems, needed bool) {
	if c.Host == "" {
		if needed {
			p.errorf("smtp.host", "required when report.to or alerts.to is set")
		}
		return
	}
	c.TLS = implicitAlias(p, "smtp.tls", c.TLS)
	oneOf(p, "smtp.tls", c.TLS, "starttls", "implicit", "none")
	if c.Port == 0 {
		c.Port = map[string]int{"implicit": 465, "starttls": 587, "none": 25}[c.TLS]
	}
	if c.Port != 0 || !p.failedAt("smtp.tls") {
		checkPort(p, "smtp.port", c.Port)
	}
	checkFile(p, "smtp.tls_ca_file", c.TLSCAFile)
	if c.Username != "" {
		c.Password = resolvePassword(p, "smtp", c.Password, c.PasswordFile, c.PasswordEnv, true)
	} else {
		c.Password = resolvePassword(p, "smtp", c.Password, c.PasswordFile, c.PasswordEnv, false)
	}
}

func (c *HTTPConfig) validate(p *configProblems) {
	positive(p, "http.read_timeout", c.ReadTimeout)
	positive(p, "http.metrics_interval", c.MetricsInterval)
	if c.Listen == "" {
		return
	}
	if _, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		p.errorf("http.listen", "must be host:port, e.g. 127.0.0.1:8025")
	}
	c.validateMetricsToken(p)
	c.ReadToken = resolveKeySecret(p, "http", "read_token_file", c.ReadTokenFile, "read_token_env", c.ReadTokenEnv)
	c.validateTLS(p)
	if c.TokenFile == "" && c.TokenEnv == "" {
		if c.ReadTokenFile != "" || c.ReadTokenEnv != "" {
			key := "http.read_token_file"
			if c.ReadTokenFile == "" {
				key = "http.read_token_env"
			}
			// Without an admin token the API takes changes from every
			// caller, and the dashboard's session key is derived from the
			// read-only token alone: its holders could sign an admin session.
			p.errorf(key, "needs http.token_file (or http.token_env): without an admin token every caller, the read-only token's holders included, may change the list")
		}
		if !loopback(c.Listen) {
			p.errorf("http.token_file", "required when http.listen (%s) is not a loopback address (or set http.token_env)", c.Listen)
			return
		}
		p.warnf("http.token_file", "not set: the API at %s accepts requests without a token", c.Listen)
		return
	}
	c.Token = resolveKeySecret(p, "http", "token_file", c.TokenFile, "token_env", c.TokenEnv)
	shortToken(p, "http.token_file", "http.token_env", c.TokenFile, c.Token)
	shortToken(p, "http.read_token_file", "http.read_token_env", c.ReadTokenFile, c.ReadToken)
	shortToken(p, "http.metrics_token_file", "http.metrics_token_env", c.MetricsTokenFile, c.MetricsToken)
	if c.Token.IsSet() && c.Token.Value() == c.ReadToken.Value() {
		// The dashboard would sign it in as admin and the API take it as
		// read-only: one token cannot be both.
		key := "http.read_token_file"
		if c.ReadTokenFile == "" {
			key = "http.read_token_env"
		}
		p.errorf(key, "holds the admin token (http.token_file or token_env): the read-only token must be another one")
	}
}

// minTokenLen is the shortest HTTP token that does not warn: nothing
// slows down wrong tokens (the API and the sign-in page answer each at
// once), so a short one can be guessed by whoever reaches http.listen.
const minTokenLen = 16

// shortToken warns about a token shorter than minTokenLen, under the key
// it came from (the file's, else the variable's).
func shortToken(p *configProblems, fileKey, envKey, file string, s Secret) {
	if !s.IsSet() || len(s.Value()) >= minTokenLen {
		return
	}
	key := envKey
	if file != "" {
		key = fileKey
	}
	p.warnf(key, "the token is %d characters: nothing slows down wrong tokens, so a short one can be guessed; use at least %d random ones (openssl rand -hex 32)",
		len(s.Value()), minTokenLen)
}

// validateTLS loads the certificate and key when either is set.
func (c *HTTPConfig) validateTLS(p *configProblems) {
	switch {
	case c.TLSCertFile == "" && c.TLSKeyFile == "":
	case c.TLSCertFile == "" || c.TLSKeyFile == "":
		p.errorf("http.tls_cert_file", "set both tls_cert_file and tls_key_file, or neither")
	default:
		if _, err := tls.LoadX509KeyPair(c.TLSCertFile, c.TLSKeyFile); err != nil {
			p.errorf("http.tls_cert_file", "%v", err)
		}
	}
}

// validateMetricsToken reads the /metrics token from metrics_token_file or
// metrics_token_env (at most one); without either, /metrics is open.
func (c *HTTPConfig) validateMetricsToken(p *configProblems) {
	c.MetricsToken = resolveKeySecret(p, "http", "metrics_token_file", c.MetricsTokenFile, "metrics_token_env", c.MetricsTokenEnv)
	if c.MetricsTokenFile == "" && c.MetricsTokenEnv == "" && !loopback(c.Listen) {
		p.warnf("http.metrics_token_file", "not set: /metrics at %s is readable by anyone who can reach it", c.Listen)
	}
}

// headerName reports whether h is a header field name.
func headerName(h string) bool {
	return h != "" && !strings.ContainsFunc(h, func(r rune) bool { return r <= ' ' || r == ':' || r > '~' })
}

func (c *VERPConfig) validate(p *configProblems) {
	if !headerName(c.Header) {
		p.errorf("verp.header", "must be a header field name such as X-Bouncer-ID")
	}
	c.Secret = parsedSecret(p, "verp", "secret_file", c.SecretFile, "secret_env", c.SecretEnv, func(v string) error {
		_, err := verp.ParseKeyRing(strings.NewReader(v))
		return err
	})
}

func (c *LogConfig) validate(p *configProblems) {
	oneOf(p, "log.level", c.Level, "debug", "info", "warn", "error")
	oneOf(p, "log.format", c.Format, "text", "json")
}

func (c *AlertsConfig) validate(p *configProblems) {
	if c.PollFailures < 0 {
		p.errorf("alerts.poll_failures", "must be 0 (off) or more")
	}
	if c.BlockShare < 0 || c.BlockShare > 1 {
		p.errorf("alerts.block_share", "must be between 0 and 1")
	}
	if c.SilentDays < 0 {
		p.errorf("alerts.silent_days", "must be 0 (off) or more")
	}
	for i, a := range c.To {
		checkAddress(p, fmt.Sprintf("alerts.to[%d]", i), a)
	}
}

// uniqueNames reports each of the n items of a list (section[i]) whose
// name, not empty, repeats an earlier one's.
func uniqueNames(p *configProblems, section string, n int, name func(i int) string) {
	seen := map[string]int{}
	for i := range n {
		nm := name(i)
		if j, dup := seen[nm]; dup && nm != "" {
			p.errorf(fmt.Sprintf("%s[%d].name", section, i), "%q is already the name of %s[%d]", nm, section, j)
		}
		seen[nm] = i
	}
}

// parsedSecret reads a secret from path.fileKey or path.envKey (at most
// one, see resolveKeySecret) and, when one is set and parse is not nil,
// checks it with parse, reporting its error under the key it came from.
func parsedSecret(p *configProblems, path, fileKey, file, envKey, env string, parse func(string) error) Secret {
	sec := resolveKeySecret(p, path, fileKey, file, envKey, env)
	if !sec.IsSet() || parse == nil {
		return sec
	}
	if err := parse(sec.Value()); err != nil {
		key := path + "." + fileKey
		if env != "" {
			key = path + "." + envKey
		}
		p.errorf(key, "%v", err)
	}
	return sec
}

func oneOf(p *configProblems, path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		p.errorf(path, "must be %s, not %q", strings.Join(allowed, ", "), v)
	}
}

func defaultPort(port int, tls string, implicit, plain int) int {
	if port != 0 {
		return port
	}
	if tls == "implicit" {
		return implicit
	}
	return plain
}

func checkPort(p *configProblems, path string, port int) {
	if port < 1 || port > 65535 {
		p.errorf(path, "must be 1-65535")
	}
}

func atLeastOne(p *configProblems, path string, n int) {
	if n < 1 {
		p.errorf(path, "must be 1 or more")
	}
}

func positive(p *configProblems, path string, d time.Duration) {
	if d <= 0 {
		p.errorf(path, "must be a positive duration")
	}
}

func checkSchedule(p *configProblems, path, spec string) {
	if _, err := cronParser.Parse(spec); err != nil {
		p.errorf(path, "invalid schedule %q: %v (want a 5-field cron spec or e.g. @every 2m)", spec, err)
	}
}

func checkAddress(p *configProblems, path, addr string) {
	if a, err := mail.ParseAddress(addr); err != nil || a.Name != "" {
		p.errorf(path, "%q is not a plain email address", addr)
	}
}

func checkFile(p *configProblems, path, name string) {
	if name == "" {
		return
	}
	// Stat, not open: opening a FIFO or device named by mistake would block.
	if fi, err := os.Stat(name); err != nil || !fi.Mode().IsRegular() {
		p.errorf(path, "cannot read %q: not a regular file", name)
	}
}
