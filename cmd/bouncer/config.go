package main

import (
	"github.com/bouncer-mail/bouncer/internal/verp"
	"time"
)

// Config is bouncer's whole configuration, read once from one YAML file by
// loadConfig. Every field has a usable default (see defaultConfig), so the
// zero file — or no file at all — gives a working embedded setup. Other
// packages never see this type: cmd/bouncer maps the sections onto each
// package's own small options struct.
type Config struct {
	// StateDir holds local state: the embedded SQLite database and lock
	// files. Default $XDG_STATE_HOME/bouncer, else /var/lib/bouncer for
	// root, else ~/.local/state/bouncer.
	StateDir string `yaml:"state_dir"`

	Database  DatabaseConfig  `yaml:"database"`
	Mailboxes []MailboxConfig `yaml:"mailboxes"`
	Policy    PolicyConfig    `yaml:"policy"`
	Report    ReportConfig    `yaml:"report"`
	SMTP      SMTPConfig      `yaml:"smtp"`
	HTTP      HTTPConfig      `yaml:"http"`
	VERP      VERPConfig      `yaml:"verp"`
	Streams   StreamsConfig   `yaml:"streams"`
	Rates     RatesConfig     `yaml:"rates"`
	Log       LogConfig       `yaml:"log"`
	DSN       DSNConfig       `yaml:"dsn"`
	Poller    PollerConfig    `yaml:"poller"`
	Alerts    AlertsConfig    `yaml:"alerts"`
	Retention RetentionConfig `yaml:"retention"`
	// Webhooks are the endpoints told of each change (docs/webhooks.md).
	Webhooks []WebhookConfig `yaml:"webhooks"`

	// Path is the file the config was read from; empty when none was found
	// and the defaults are in use.
	Path string `yaml:"-"`
	// Warnings are problems that do not stop bouncer (a plain password in
	// the file, a secret whose source could not be read), each prefixed
	// with its key path. loadConfig logs them.
	Warnings []string `yaml:"-"`
	// MissingSecrets are secrets whose *_env variable is unset or empty,
	// each naming its key and variable. Commands that use secrets (run,
	// poll, config check, report send) refuse to start with any; ingest,
	// parse and verp warn about an unset verp secret; the others, which use
	// none, say nothing.
	MissingSecrets []error `yaml:"-"`
}

// DatabaseConfig chooses the store.
type DatabaseConfig struct {
	// URL is postgres://… or postgresql://… for Postgres (lib/pq syntax;
	// put the password in PGPASSWORD or ~/.pgpass rather than here), or
	// sqlite:PATH for the embedded store. Empty means sqlite in StateDir.
	URL string `yaml:"url"`
	// CaseSensitiveLocalPart keeps the local part of addresses as written;
	// by default whole addresses are lower-cased before they are stored.
	CaseSensitiveLocalPart bool `yaml:"case_sensitive_local_part"`
}

// MailboxConfig is one bounce mailbox to poll.
type MailboxConfig struct {
	Name     string `yaml:"name"`     // unique label, stored with every event; required
	Protocol string `yaml:"protocol"` // "imap" or "pop3"; required
	Host     string `yaml:"host"`     // required
	// Port defaults by protocol and TLS mode: IMAP 993/143, POP3 995/110.
	Port int `yaml:"port"`
	// TLS is "implicit" (default), "starttls" or "none".
	TLS           string `yaml:"tls"`
	TLSCAFile     string `yaml:"tls_ca_file"`     // PEM CA bundle to trust instead of the system roots
	TLSSkipVerify bool   `yaml:"tls_skip_verify"` // do not verify the server certificate (tests only)
	Username      string `yaml:"username"`        // required
	// Auth is the SASL mechanism: "plain" (default), "login" or "xoauth2".
	Auth string `yaml:"auth"`
	// Password is resolved from exactly one of password, password_file and
	// password_env (not used with xoauth2).
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
	// OAuthTokenFile or OAuthTokenCommand (exactly one, with auth xoauth2)
	// yields a fresh access token: the file is re-read and the command
	// (run with sh -c) re-run before every login, since tokens expire.
	OAuthTokenFile    string `yaml:"oauth_token_file,omitempty"`
	OAuthTokenCommand string `yaml:"oauth_token_command,omitempty"`
	// Folder to read (IMAP only); default INBOX.
	Folder string `yaml:"folder"`
	// Schedule is a standard 5-field cron spec or a descriptor such as
	// "@every 2m" (the default) or "@hourly".
	Schedule string `yaml:"schedule"`
	// After says what happens to a message once its effect is committed:
	// "move" (IMAP default) to ProcessedFolder, "delete", or "flag" (mark
	// \Seen and leave it). POP3: "delete" (its default), "move" (the same:
	// POP3 has no folders) or "flag" (left on the server, skipped by UIDL).
	After           string `yaml:"after"`
	ProcessedFolder string `yaml:"processed_folder"` // default Processed
	// FailedFolder receives messages that could not be parsed; default Unprocessed.
	FailedFolder string `yaml:"failed_folder"`
	// Address is the return-path address whose mail lands here, e.g.
	// bounces@example.com; used to recognise VERP addresses. Optional.
	Address string `yaml:"address"`
}

// PolicyConfig holds the suppression thresholds. The allowlist is not here:
// it lives in the database.
type PolicyConfig struct {
	HardThreshold      int           `yaml:"hard_threshold"`      // hard bounces that suppress; default 1
	SoftThreshold      int           `yaml:"soft_threshold"`      // soft bounces within SoftWindow that suppress; default 3
	SoftWindow         time.Duration `yaml:"soft_window"`         // default 168h
	ComplaintThreshold int           `yaml:"complaint_threshold"` // complaints that suppress; default 1
	// SoftExpiry lifts a soft-bounce suppression after this long without a
	// new failure; default 720h, 0 = never.
	SoftExpiry time.Duration `yaml:"soft_expiry" zero:"never expire"`
	// RequireVerified counts only events that arrived on a verified (signed
	// VERP) return path; default false.
	RequireVerified bool `yaml:"require_verified"`
}

// ReportConfig is the daily failure report. It is sent only when To is set.
type ReportConfig struct {
	Schedule string `yaml:"schedule"` // cron spec; default "0 8 * * *"
	// Timezone is an IANA name ("Europe/Paris"), "UTC" or "Local" (the
	// default); it applies to Schedule and to the dates in the report.
	Timezone string   `yaml:"timezone"`
	From     string   `yaml:"from"` // sender address; required when To is set
	To       []string `yaml:"to"`   // recipient addresses
	// TemplateDir overrides the built-in templates with files of the same
	// names found there. Optional.
	TemplateDir string `yaml:"template_dir"`

	// Location is Timezone resolved at load.
	Location *time.Location `yaml:"-"`
}

// SMTPConfig is the server that sends reports and alerts.
type SMTPConfig struct {
	Host string `yaml:"host"` // required when report.to or alerts.to is set
	// Port defaults by TLS mode: 465 implicit, 587 starttls, 25 none.
	Port int `yaml:"port"`
	// TLS is "starttls" (default), "implicit" or "none".
	TLS       string `yaml:"tls"`
	TLSCAFile string `yaml:"tls_ca_file"` // PEM CA bundle to trust instead of the system roots
	Username  string `yaml:"username"`    // empty: no authentication
	// Password is resolved from exactly one of password, password_file and
	// password_env when Username is set.
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file,omitempty"`
	PasswordEnv  string `yaml:"password_env,omitempty"`
}

// HTTPConfig is the query API.
type HTTPConfig struct {
	Listen string `yaml:"listen"` // host:port; empty turns the API off
	// TokenFile holds the bearer token clients must present; TokenEnv
	// names an environment variable holding it instead (at most one).
	TokenFile   string        `yaml:"token_file"`
	TokenEnv    string        `yaml:"token_env,omitempty"`
	ReadTimeout time.Duration `yaml:"read_timeout"` // default 10s
	// ReadTokenFile, or the environment variable ReadTokenEnv names, holds
	// a read-only token: the API's reads and the dashboard, never a change.
	ReadTokenFile string `yaml:"read_token_file"`
	ReadTokenEnv  string `yaml:"read_token_env,omitempty"`
	// TLSCertFile and TLSKeyFile (PEM) serve the API and the dashboard over
	// HTTPS; both or neither.
	TLSCertFile string `yaml:"tls_cert_file"`
	TLSKeyFile  string `yaml:"tls_key_file"`
	// SecureCookies marks the dashboard's cookies Secure on plain HTTP, for
	// a TLS-terminating reverse proxy in front (always so with tls_cert_file).
	SecureCookies bool `yaml:"secure_cookies"`
	// MetricsTokenFile, or the environment variable MetricsTokenEnv names,
	// holds the bearer token /metrics requires; neither set: /metrics is
	// open (to every client when listen is not a loopback address).
	MetricsTokenFile string `yaml:"metrics_token_file"`
	MetricsTokenEnv  string `yaml:"metrics_token_env,omitempty"`
	// MetricsInterval is how often the gauges that need the database
	// (active suppressions, other replicas' polls) are refreshed; default 30s.
	MetricsInterval time.Duration `yaml:"metrics_interval"`

	// Token is read from TokenFile or TokenEnv at load.
	Token Secret `yaml:"token" config:"derived"`
	// ReadToken is read from ReadTokenFile or ReadTokenEnv at load.
	ReadToken Secret `yaml:"read_token" config:"derived"`
	// MetricsToken is read from MetricsTokenFile or MetricsTokenEnv at load.
	MetricsToken Secret `yaml:"metrics_token" config:"derived"`
}

// VERPConfig signs return paths so bounces can be trusted.
type VERPConfig struct {
	// SecretFile holds the HMAC key ring, or SecretEnv names an environment
	// variable holding it (at most one); neither turns signing and
	// verification off.
	SecretFile string `yaml:"secret_file"`
	SecretEnv  string `yaml:"secret_env,omitempty"`
	// Header carries the signed token in outgoing mail; default X-Bouncer-ID.
	Header string `yaml:"header"`

	// Secret is read from SecretFile or SecretEnv at load.
	Secret Secret `yaml:"secret" config:"derived"`
}

// StreamsConfig attributes bounces to the kind of mail they came back from
// (see "bouncer rates").
type StreamsConfig struct {
	// Header of the returned message naming its stream when its signed
	// return path names none; default X-Bouncer-Stream.
	Header string `yaml:"header"`
}

// LogConfig chooses the log handler.
type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info (default), warn or error
	Format string `yaml:"format"` // text (default) or json
}

// DSNConfig bounds report parsing.
type DSNConfig struct {
	// MaxMessageBytes is the largest message read; longer ones are
	// truncated for parsing. Default 10 MiB.
	MaxMessageBytes int64 `yaml:"max_message_bytes"`
}

// PollerConfig tunes the ingest loop shared by all mailboxes.
type PollerConfig struct {
	BatchSize int `yaml:"batch_size"` // messages per fetch and per commit; default 500
}

// AlertsConfig sends an immediate mail when something looks wrong. Alerts
// go out only when To is set.
type AlertsConfig struct {
	// PollFailures is how many consecutive failed polls of a mailbox raise
	// an alert; default 3, 0 turns the alert off.
	PollFailures int `yaml:"poll_failures"`
	// BlockShare is the share (0-1) of one receiver's bounces in the last
	// hour classed "block" (with at least 10 blocks) that raises an alert (a
	// receiver refusing us); default 0.2, 0 turns it off.
	BlockShare float64 `yaml:"block_share"`
	// SilentDays raises an alert when a mailbox that had messages received
	// none for this many days (a broken return path); default 3, 0 turns it
	// off.
	SilentDays int      `yaml:"silent_days"`
	To         []string `yaml:"to"` // recipient addresses
}

// Defaults that documentation and tests rely on.
const (
	defaultMaxMessageBytes = 10 << 20
	defaultMailboxSchedule = "@every 2m"
	defaultReportSchedule  = "0 8 * * *"
	defaultVERPHeader      = "X-Bouncer-ID"
)

// defaultConfig returns the configuration used when no file exists; a file's
// keys override it.
func defaultConfig() *Config {
	return &Config{
		StateDir: defaultStateDir(),
		Policy: PolicyConfig{
			HardThreshold:      1,
			SoftThreshold:      3,
			SoftWindow:         168 * time.Hour,
			ComplaintThreshold: 1,
			SoftExpiry:         720 * time.Hour,
		},
		Report:    ReportConfig{Schedule: defaultReportSchedule, Timezone: "Local"},
		SMTP:      SMTPConfig{TLS: "starttls"},
		HTTP:      HTTPConfig{ReadTimeout: 10 * time.Second, MetricsInterval: 30 * time.Second},
		VERP:      VERPConfig{Header: defaultVERPHeader},
		Streams:   StreamsConfig{Header: verp.DefaultStreamHeader},
		Rates:     defaultRates(),
		Log:       LogConfig{Level: "info", Format: "text"},
		DSN:       DSNConfig{MaxMessageBytes: defaultMaxMessageBytes},
		Poller:    PollerConfig{BatchSize: 500},
		Alerts:    AlertsConfig{PollFailures: 3, BlockShare: 0.2, SilentDays: 3},
		Retention: RetentionConfig{Events: defaultEventRetention, Ledger: defaultLedgerRetention, Sent: defaultSentRetention},
	}
}

// defaultMailbox holds the per-mailbox defaults applied before a file's
// mailbox entry is decoded over it.
func defaultMailbox() MailboxConfig {
	return MailboxConfig{
		TLS:             "implicit",
		Auth:            "plain",
		Folder:          "INBOX",
		Schedule:        defaultMailboxSchedule,
		ProcessedFolder: "Processed",
		FailedFolder:    "Unprocessed",
	}
}
