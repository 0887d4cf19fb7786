package poller

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/bouncer-mail/bouncer/suppression"
)

// TestDovecotPOP3CommitFails: when the store refuses a POP3 batch, the
// pass fails and deletes nothing: every message is still on the server,
// and a pass after the store recovers records and deletes each once.
func TestDovecotPOP3CommitFails(t *testing.T) {
	d, mb := dovecotMailbox(t, ProtocolPOP3, TLSImplicit)
	path := filepath.Join(t.TempDir(), "bouncer.db")
	store, err := suppression.Open(context.Background(), "sqlite:"+path, suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The store's real write path fails: every ledger insert is refused.
	if _, err := db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON processed_messages BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`); err != nil {
		t.Fatal(err)
	}
	if _, err := Poll(context.Background(), mb, store, &Options{BatchSize: 2}); err == nil {
		t.Fatal("Poll succeeded while the store refused every batch")
	}
	if got := maildirCount(t, d, ""); got != len(corpus) {
		t.Fatalf("after the failed commit the server holds %d messages, want all %d", got, len(corpus))
	}
	if _, err := db.Exec(`DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	sum, err := Poll(context.Background(), mb, store, &Options{BatchSize: 2})
	if err != nil || sum.Fetched != len(corpus) {
		t.Fatalf("Poll after recovery: fetched %d, %v; want %d", sum.Fetched, err, len(corpus))
	}
	if got := maildirCount(t, d, ""); got != 1 {
		t.Errorf("after recovery the server holds %d, want the junk message only", got)
	}
}
