package main

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
)

// certNotVerified reports whether err is a failure to verify a server's
// certificate (unknown authority, wrong name, expired or unusable), the
// failure tls_ca_file is for, as opposed to a refused connection or a
// handshake that was not TLS.
func certNotVerified(err error) bool {
	var (
		verr *tls.CertificateVerificationError
		uerr x509.UnknownAuthorityError
		herr x509.HostnameError
		cerr x509.CertificateInvalidError
	)
	return errors.As(err, &verr) || errors.As(err, &uerr) || errors.As(err, &herr) || errors.As(err, &cerr)
}

// withTLSHint adds to a certificate verification failure the setting that
// fixes it, caKey (mailboxes[0].tls_ca_file, smtp.tls_ca_file); any other
// error, and nil, is returned as it is.
func withTLSHint(err error, caKey string) error {
	if err == nil || !certNotVerified(err) {
		return err
	}
	return fmt.Errorf("%w (set %s to the PEM file of the CA that signed the server's certificate, "+
		"or of the server's own certificate when it is self-signed)", err, caKey)
}

// mailboxKey is the key path of the mailbox named name in cfg
// (mailboxes[0]), or "mailboxes[]" when there is none of that name.
func mailboxKey(cfg *Config, name string) string {
	for i, m := range cfg.Mailboxes {
		if m.Name == name {
			return fmt.Sprintf("mailboxes[%d]", i)
		}
	}
	return "mailboxes[]"
}

// unverifiedTLS lists, one sentence each, the mailboxes of cfg that
// tls_skip_verify sends a password (or OAuth token) to without checking
// the server's certificate: whoever answers on the way gets it.
func unverifiedTLS(cfg *Config, mailboxes []MailboxConfig) []string {
	var out []string
	for _, m := range mailboxes {
		if !m.TLSSkipVerify || m.TLS == "none" {
			continue
		}
		what := "password"
		if m.Auth == "xoauth2" {
			what = "OAuth token"
		}
		key := mailboxKey(cfg, m.Name)
		out = append(out, fmt.Sprintf("%s.tls_skip_verify: mailbox %q sends its %s to %s:%d without verifying the server's "+
			"certificate, so whoever answers on the way gets it (for tests only; for a private or self-signed server set %s.tls_ca_file)",
			key, m.Name, what, m.Host, m.Port, key))
	}
	return out
}

// warnUnverifiedTLS logs unverifiedTLS's sentences as config warnings and
// returns how many there were.
func warnUnverifiedTLS(cfg *Config, mailboxes []MailboxConfig) int {
	ws := unverifiedTLS(cfg, mailboxes)
	for _, w := range ws {
		slog.Warn("config: " + w)
	}
	return len(ws)
}
