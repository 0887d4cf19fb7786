package suppression

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"testing"

	"github.com/lib/pq"
)

func TestTransient(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"bad connection", fmt.Errorf("record: %w", driver.ErrBadConn), true},
		{"network", &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, true},
		{"admin shutdown", &pq.Error{Code: "57P01"}, true},
		{"too many connections", &pq.Error{Code: "53300"}, true},
		{"serialization failure", &pq.Error{Code: "40001"}, true},
		{"NUL byte in text", &pq.Error{Code: "22021"}, false},
		{"NUL byte in a statement", &pq.Error{Code: "08P01"}, false},
		{"value too long", &pq.Error{Code: "22001"}, false},
		{"unique violation", &pq.Error{Code: "23505"}, false},
		{"anything else", errors.New("suppression: invalid address"), false},
	} {
		if got := Transient(tt.err); got != tt.want {
			t.Errorf("Transient(%s: %v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}

// The errors the store really returns: a server that is not there is
// transient; text Postgres refuses is not.
func TestTransientRealErrors(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	_, err = Open(context.Background(), "postgres://postgres@"+addr+"/x?sslmode=disable&connect_timeout=2", Options{})
	if err == nil || !Transient(err) {
		t.Errorf("Open on a closed port: %v; want a transient error", err)
	}
	for _, dialect := range []string{"postgres", "sqlite"} {
		t.Run(dialect, func(t *testing.T) {
			s := openTest(t, dialect, Options{})
			// A row the schema refuses (NOT NULL), and on Postgres a NUL byte
			// in a text value.
			_, err := s.db.ExecContext(context.Background(), s.db.Rebind("INSERT INTO allowlist (entry, created_at) VALUES (?, ?)"), nil, t0)
			if err == nil || Transient(err) {
				t.Errorf("a NULL key: %v; want an error that is not transient", err)
			}
			if dialect == "postgres" {
				var n int
				err := s.db.QueryRowContext(context.Background(), "SELECT length($1::text)", "a\x00b").Scan(&n)
				if err == nil || Transient(err) {
					t.Errorf("a NUL byte: %v; want an error that is not transient", err)
				}
			}
		})
	}
}
