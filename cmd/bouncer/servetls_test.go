package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns
// their paths and a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)    //nolint:errcheck // read back below
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600) //nolint:errcheck // read back below
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// With tls_cert_file and tls_key_file the listener serves the API and the
// dashboard over HTTPS, and the dashboard's cookies are Secure.
func TestStartHTTPDashboardTLS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	addr, store := httpSetup(t)
	cfg := &Config{HTTP: HTTPConfig{Listen: addr, ReadTimeout: 5 * time.Second, Token: NewSecret("tok"), TLSCertFile: certFile, TLSKeyFile: keyFile}}
	stop, err := startHTTP(context.Background(), cfg, store)
	if err != nil {
		t.Fatal(err)
	}
	defer stop(context.Background()) //nolint:errcheck // the test is over
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get("https://" + addr + "/ui/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	secure := false
	for _, k := range resp.Cookies() {
		secure = secure || k.Secure
	}
	if resp.StatusCode != 200 || resp.Header.Get("X-Frame-Options") != "DENY" || !secure {
		t.Errorf("GET /ui/login over TLS = %d, X-Frame-Options %q, Secure cookie %v", resp.StatusCode, resp.Header.Get("X-Frame-Options"), secure)
	}
	resp, err = c.Get("https://" + addr + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("GET /healthz over TLS = %v, %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}
