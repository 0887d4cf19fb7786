package testenv

import (
	"crypto/tls"
	"net"
	"strconv"
	"testing"

	"github.com/emersion/go-smtp"
)

// ServeSMTP serves srv (a real go-smtp server) on a free loopback port until
// the test ends and returns its host and port. With implicitTLS the
// listener speaks TLS from the first byte with srv.TLSConfig; otherwise it
// is plain (STARTTLS when srv.TLSConfig is set).
func ServeSMTP(t testing.TB, srv *smtp.Server, implicitTLS bool) (string, int) {
	t.Helper()
	var l net.Listener
	var err error
	if implicitTLS {
		l, err = tls.Listen("tcp", "127.0.0.1:0", srv.TLSConfig)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		t.Fatalf("testenv: smtp listen: %v", err)
	}
	host, p, _ := net.SplitHostPort(l.Addr().String())
	port, _ := strconv.Atoi(p)
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(l) //nolint:errcheck // returns when closed
	}()
	t.Cleanup(func() {
		srv.Close()
		l.Close() // Serve may not have registered l with srv yet
		<-done
	})
	return host, port
}
