package poller

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// tlsConfig builds the client TLS configuration of mb: the system roots, or
// the PEM bundle in TLSCAFile; verification is off only when TLSSkipVerify
// is set.
func tlsConfig(mb Mailbox) (*tls.Config, error) {
	cfg := &tls.Config{ServerName: mb.Host, MinVersion: tls.VersionTLS12}
	if mb.TLSSkipVerify {
		cfg.InsecureSkipVerify = true // configured explicitly by the operator
	}
	if mb.TLSCAFile == "" {
		return cfg, nil
	}
	pem, err := os.ReadFile(mb.TLSCAFile)
	if err != nil {
		return nil, fmt.Errorf("poller: %s: tls_ca_file: %w", mb.Name, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%w %q: tls_ca_file %s holds no PEM certificate", ErrConfig, mb.Name, mb.TLSCAFile)
	}
	cfg.RootCAs = pool
	return cfg, nil
}
