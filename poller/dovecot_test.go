package poller

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// dovecotMailbox delivers the corpus to a fresh Dovecot user and returns
// the mailbox config for one transport.
func dovecotMailbox(t *testing.T, protocol, tlsMode string) (*testenv.DovecotServer, Mailbox) {
	t.Helper()
	d := testenv.Dovecot(t)
	for i, n := range corpus {
		d.DeliverMaildirAt(readCorpus(t, n), arrival.Add(time.Duration(i)*time.Minute))
	}
	port := map[string]int{
		ProtocolIMAP + TLSNone: d.IMAPPort, ProtocolIMAP + TLSStartTLS: d.IMAPPort, ProtocolIMAP + TLSImplicit: d.IMAPSPort,
		ProtocolPOP3 + TLSNone: d.POP3Port, ProtocolPOP3 + TLSStartTLS: d.POP3Port, ProtocolPOP3 + TLSImplicit: d.POP3SPort,
	}[protocol+tlsMode]
	return d, Mailbox{Name: "dovecot", Protocol: protocol, Host: d.Host, Port: port, TLS: tlsMode,
		TLSCAFile: d.CAFile, Username: d.User, Password: d.Password}
}

// maildirCount counts the messages of a Maildir folder ("" is INBOX).
func maildirCount(t *testing.T, d *testenv.DovecotServer, folder string) int {
	t.Helper()
	return d.Count(folder)
}

var wantRecipients = map[dsn.Class][]string{
	dsn.ClassHard:      {"kijitora@example.co.jp"},
	dsn.ClassSoft:      {"kijitora@example.net"},
	dsn.ClassBlock:     {"kijitora@example.org"},
	dsn.ClassComplaint: {"redacted@example.net"},
	dsn.ClassIgnore:    {"kijitora@example.net"},
}

func TestDovecotTransports(t *testing.T) {
	tests := []struct {
		protocol, tls string
		inbox         int // left in INBOX: IMAP moves junk away, POP3 leaves it
		processed     int
	}{
		{ProtocolIMAP, TLSNone, 0, 5},
		{ProtocolIMAP, TLSStartTLS, 0, 5},
		{ProtocolIMAP, TLSImplicit, 0, 5},
		{ProtocolPOP3, TLSNone, 1, 0},
		{ProtocolPOP3, TLSStartTLS, 1, 0},
		{ProtocolPOP3, TLSImplicit, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.protocol+"-"+tt.tls, func(t *testing.T) {
			d, mb := dovecotMailbox(t, tt.protocol, tt.tls)
			store := newFakeStore()
			sum, err := Poll(context.Background(), mb, store, &Options{BatchSize: 4, disposeGroup: 4})
			if err != nil {
				t.Fatalf("Poll: %v", err)
			}
			if sum.Fetched != 6 || sum.NotReports != 1 || sum.Complaints != 1 || sum.Held != 1 {
				t.Errorf("summary %s (held %d), want fetched 6, not reports 1, complaints 1, held 1", sum, sum.Held)
			}
			if tt.protocol == ProtocolPOP3 {
				if got := testutil.ToFloat64(keptMessages.WithLabelValues(mb.Name)); got != float64(tt.inbox) {
					t.Errorf("bouncer_mailbox_kept_messages = %g, want %d (the junk kept on the server)", got, tt.inbox)
				}
			}
			if got := store.recipients(); !reflect.DeepEqual(got, wantRecipients) {
				t.Errorf("recipients = %v, want %v", got, wantRecipients)
			}
			if got := maildirCount(t, d, ""); got != tt.inbox {
				t.Errorf("INBOX holds %d, want %d", got, tt.inbox)
			}
			if got := maildirCount(t, d, "Processed"); got != tt.processed {
				t.Errorf("Processed holds %d, want %d", got, tt.processed)
			}
			if tt.protocol == ProtocolIMAP && maildirCount(t, d, "Unprocessed") != 1 {
				t.Errorf("Unprocessed holds %d, want the junk message", maildirCount(t, d, "Unprocessed"))
			}
			again, err := Poll(context.Background(), mb, store, nil)
			if err != nil || again.Fetched != 0 || again.Skipped != tt.inbox {
				t.Errorf("second pass: fetched %d, skipped %d, err %v; want 0, %d, nil", again.Fetched, again.Skipped, err, tt.inbox)
			}
		})
	}
}

func TestDovecotPOP3Flag(t *testing.T) {
	d, mb := dovecotMailbox(t, ProtocolPOP3, TLSImplicit)
	mb.After = AfterFlag
	store := newFakeStore()
	if _, err := Poll(context.Background(), mb, store, nil); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	gone := mb.Name + "/a-message-deleted-from-the-server"
	store.seen[gone] = true
	again, err := Poll(context.Background(), mb, store, nil)
	if err != nil || again.Fetched != 0 || again.Skipped != 6 || maildirCount(t, d, "") != 6 {
		t.Errorf("second pass: fetched %d, skipped %d, err %v, left %d; want 0, 6, nil, 6",
			again.Fetched, again.Skipped, err, maildirCount(t, d, ""))
	}
	if got := testutil.ToFloat64(keptMessages.WithLabelValues(mb.Name)); got != 6 {
		t.Errorf("bouncer_mailbox_kept_messages = %g, want 6 (after: flag keeps them all)", got)
	}
	if store.seen[gone] || len(store.seen) != 6 {
		t.Errorf("after the second pass %d UIDLs are remembered (the deleted message's: %v), want the 6 on the server", len(store.seen), store.seen[gone])
	}
}

func TestDovecotIMAPFlagAndDelete(t *testing.T) {
	for _, after := range []string{AfterFlag, AfterDelete} {
		t.Run(after, func(t *testing.T) {
			d, mb := dovecotMailbox(t, ProtocolIMAP, TLSImplicit)
			mb.After = after
			store := newFakeStore()
			if _, err := Poll(context.Background(), mb, store, nil); err != nil {
				t.Fatalf("Poll: %v", err)
			}
			want := map[string]int{AfterFlag: 5, AfterDelete: 0}[after]
			if got := maildirCount(t, d, ""); got != want {
				t.Errorf("INBOX holds %d, want %d", got, want)
			}
			pollFindsNothing(t, mb, store)
		})
	}
}

func TestDovecotBadCertificate(t *testing.T) {
	_, mb := dovecotMailbox(t, ProtocolIMAP, TLSImplicit)
	mb.TLSCAFile = ""
	if _, err := Poll(context.Background(), mb, newFakeStore(), nil); err == nil {
		t.Fatal("Poll trusted a self-signed certificate without tls_ca_file")
	}
	mb.TLSSkipVerify = true
	if _, err := Poll(context.Background(), mb, newFakeStore(), nil); err != nil {
		t.Errorf("Poll with tls_skip_verify: %v", err)
	}
}
