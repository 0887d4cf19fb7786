package poller

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// sqliteStore opens a real store in a fresh SQLite file.
func sqliteStore(t *testing.T) *suppression.Store {
	t.Helper()
	s, err := suppression.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "bouncer.db"), suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// otherClient is a second IMAP session on d's INBOX, the concurrent
// client of these tests.
func otherClient(t *testing.T, d *testenv.DovecotServer) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(d.Addr(d.IMAPSPort), &imapclient.Options{TLSConfig: d.TLSConfig()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(d.User, d.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Create("Elsewhere", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDovecotExpungedUnderThePass: another client moves some of the
// messages away after the pass fetched them and before it disposes of
// them (a crashed pass's MOVE the server finishes late), so the server
// answers the pass's MOVE, STORE or EXPUNGE with NO [EXPUNGEISSUED]. The
// pass succeeds: the vanished messages are gone, the rest are disposed of.
// "junk" makes the move to the failed folder meet the expunge, "reports"
// the after: step.
func TestDovecotExpungedUnderThePass(t *testing.T) {
	for _, after := range []string{AfterMove, AfterDelete, AfterFlag} {
		for _, kind := range []string{"junk", "reports"} {
			t.Run(after+"-"+kind, func(t *testing.T) {
				testExpungedUnderThePass(t, after, kind == "junk")
			})
		}
	}
}

func testExpungedUnderThePass(t *testing.T, after string, junk bool) {
	d := testenv.Dovecot(t)
	const junkMessages = 6
	if junk {
		for i := range junkMessages {
			d.DeliverMaildir(fmt.Appendf(nil, "From: someone@example.net\r\nTo: b@example.com\r\nSubject: x\r\nMessage-ID: <e%d@example.net>\r\n\r\nnot a report %d\r\n", i, i))
		}
	}
	reports := corpus[:5] // all but junk
	for _, name := range reports {
		d.DeliverMaildir(readCorpus(t, name))
	}
	other := otherClient(t, d)
	mb := Mailbox{Name: "dovecot", Protocol: ProtocolIMAP, Host: d.Host, Port: d.IMAPSPort, TLS: TLSImplicit,
		TLSCAFile: d.CAFile, Username: d.User, Password: d.Password, After: after}
	vanished := false
	o := &Options{beforeDispose: func(done, failed imap.UIDSet) {
		if vanished {
			return
		}
		vanished = true
		var set imap.UIDSet // two messages of the first set the pass disposes of
		first := done
		if junk {
			first = failed
		}
		set.AddNum(first[0].Start, first[0].Start+1)
		if _, err := other.Move(set, "Elsewhere").Wait(); err != nil {
			t.Errorf("the other client's MOVE: %v", err)
		}
	}}
	store := sqliteStore(t)
	sum, err := Poll(context.Background(), mb, store, o)
	if err != nil {
		t.Fatalf("Poll with messages expunged under it: %v", err)
	}
	total := len(reports)
	if junk {
		total += junkMessages
	}
	if !vanished || sum.Fetched != total {
		t.Fatalf("vanished %v, fetched %d; want true, %d", vanished, sum.Fetched, total)
	}
	wantFailed, wantDone := 0, len(reports)-2
	if junk {
		wantFailed, wantDone = junkMessages-2, len(reports)
	}
	wantInbox, wantProcessed := 0, 0
	switch after {
	case AfterMove:
		wantProcessed = wantDone
	case AfterFlag:
		wantInbox = wantDone
	}
	got := [4]int{d.Count("Elsewhere"), d.Count("Unprocessed"), d.Count("Processed"), d.Count("")}
	if want := [4]int{2, wantFailed, wantProcessed, wantInbox}; got != want {
		t.Errorf("Elsewhere, Unprocessed, Processed, INBOX hold %v, want %v", got, want)
	}
	again, err := Poll(context.Background(), mb, store, nil)
	if err != nil || again.Fetched != 0 {
		t.Errorf("second pass: fetched %d, err %v; want 0, nil", again.Fetched, err)
	}
}

// A mailbox switched from after: flag to move takes the messages flagged
// before only with IncludeFlagged: they are duplicates (nothing counts
// again) and are moved.
func TestDovecotIncludeFlagged(t *testing.T) {
	d, mb := dovecotMailbox(t, ProtocolIMAP, TLSImplicit)
	mb.After = AfterFlag
	store := sqliteStore(t)
	first, err := Poll(context.Background(), mb, store, nil)
	if err != nil || d.Count("") != 5 {
		t.Fatalf("flag pass: %v, INBOX %d; want nil, 5 flagged", err, d.Count(""))
	}
	mb.After = AfterMove
	if sum, err := Poll(context.Background(), mb, store, nil); err != nil || sum.Fetched != 0 {
		t.Fatalf("move pass without IncludeFlagged: fetched %d, %v; want 0 (flagged messages skipped)", sum.Fetched, err)
	}
	sum, err := Poll(context.Background(), mb, store, &Options{IncludeFlagged: true})
	if err != nil || sum.Fetched != 5 || sum.Duplicates != 5 {
		t.Fatalf("move pass with IncludeFlagged: fetched %d, duplicates %d, %v; want 5, 5", sum.Fetched, sum.Duplicates, err)
	}
	if d.Count("") != 0 || d.Count("Processed") != 5 {
		t.Errorf("INBOX %d, Processed %d; want 0, 5", d.Count(""), d.Count("Processed"))
	}
	if first.NewlySuppressed == 0 {
		t.Errorf("the flag pass suppressed nobody; the corpus has a hard bounce")
	}
}
