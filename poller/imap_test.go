package poller

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

var arrival = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)

// loadCorpus appends every corpus message to INBOX.
func loadCorpus(t *testing.T, s *memServer) {
	t.Helper()
	for i, n := range corpus {
		s.appendMsg(t, "INBOX", readCorpus(t, n), arrival.Add(time.Duration(i)*time.Minute))
	}
}

var reports = []string{"autoreply", "block", "complaint", "hard", "soft"}

func TestPollIMAPMove(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 4})
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if sum.Fetched != 6 || sum.NotReports != 1 || sum.Unparsed != 0 || sum.Duplicates != 0 {
		t.Errorf("summary = %+v, want fetched 6, not reports 1, unparsed 0, duplicates 0", sum)
	}
	if got := names(t, s.folder(t, "INBOX")); len(got) != 0 {
		t.Errorf("INBOX after pass = %q, want empty", got)
	}
	if got := names(t, s.folder(t, "Processed")); !reflect.DeepEqual(got, reports) {
		t.Errorf("Processed = %q, want %q", got, reports)
	}
	if got := names(t, s.folder(t, "Unprocessed")); !reflect.DeepEqual(got, []string{"junk"}) {
		t.Errorf("Unprocessed = %q, want [junk]", got)
	}
	if len(store.ledger) != 6 {
		t.Errorf("ledger holds %d messages, want 6", len(store.ledger))
	}
	for _, m := range store.ledger {
		if m.Mailbox != "main" || m.ReceivedAt.Before(arrival) || m.ReceivedAt.After(arrival.Add(time.Hour)) {
			t.Errorf("message %s: mailbox %q received %v, want main and the INTERNALDATE", m.Key[:8], m.Mailbox, m.ReceivedAt)
		}
	}
}

// TestPollIMAPMoveInGroups disposes of committed messages in groups: a
// group disposed of while the pass still fetches goes through a second
// session, and the outcome is that of one move at the end.
func TestPollIMAPMoveInGroups(t *testing.T) {
	tests := []struct {
		group, sessions int
	}{
		{group: 2, sessions: 2}, // 3 groups of 2: the disposer's own session
		{group: 6, sessions: 1}, // one group at the end: the pass's session
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("group=%d", tt.group), func(t *testing.T) {
			var sessions atomic.Int32
			s := serveMem(t, fullCaps, func(s imapserver.Session) imapserver.Session {
				sessions.Add(1)
				return s
			})
			loadCorpus(t, s)
			sessions.Store(0)
			store := newFakeStore()
			sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 2, disposeGroup: tt.group})
			if err != nil {
				t.Fatalf("Poll: %v", err)
			}
			if got := int(sessions.Load()); got != tt.sessions {
				t.Errorf("pass opened %d sessions, want %d", got, tt.sessions)
			}
			if sum.Fetched != 6 || sum.Waiting != 0 || len(store.ledger) != 6 {
				t.Errorf("fetched %d, waiting %d, ledger %d; want 6, 0, 6", sum.Fetched, sum.Waiting, len(store.ledger))
			}
			if got := names(t, s.folder(t, "Processed")); !reflect.DeepEqual(got, reports) {
				t.Errorf("Processed = %q, want %q", got, reports)
			}
			if got := names(t, s.folder(t, "Unprocessed")); !reflect.DeepEqual(got, []string{"junk"}) {
				t.Errorf("Unprocessed = %q, want [junk]", got)
			}
			if got := len(s.folder(t, "INBOX")); got != 0 {
				t.Errorf("INBOX holds %d, want 0", got)
			}
		})
	}
}

func TestPollIMAPClasses(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	sum, err := Poll(context.Background(), s.mailbox("main"), store, nil)
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	want := map[dsn.Class][]string{
		dsn.ClassHard:      {"kijitora@example.co.jp"},
		dsn.ClassSoft:      {"kijitora@example.net"},
		dsn.ClassBlock:     {"kijitora@example.org"},
		dsn.ClassComplaint: {"redacted@example.net"},
		dsn.ClassIgnore:    {"kijitora@example.net"},
	}
	if got := store.recipients(); !reflect.DeepEqual(got, want) {
		t.Errorf("recorded recipients = %v, want %v", got, want)
	}
	if sum.Complaints != 1 || sum.ByClass[dsn.ClassHard] != 1 {
		t.Errorf("summary = %+v, want 1 complaint and 1 hard", sum)
	}
}

// otherClientsDeleted adds a message another client marked \Deleted: a
// plain EXPUNGE would remove it, UID EXPUNGE must not.
func otherClientsDeleted(t *testing.T, s *memServer) {
	t.Helper()
	c := s.client(t)
	defer c.Close()
	raw := []byte("Subject: someone else's\r\n\r\nkeep me\r\n")
	cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDeleted}})
	cmd.Write(raw)
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestPollIMAPWithoutMove(t *testing.T) {
	tests := []struct {
		name           string
		caps           imap.CapSet
		after          string
		inbox          int // messages left in INBOX, the other client's included
		processed      int
		flaggedInInbox int
	}{
		{"uidplus move", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, AfterMove, 1, 5, 0},
		{"uidplus delete", imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapUIDPlus: {}}, AfterDelete, 1, 0, 0},
		{"bare move", imap.CapSet{imap.CapIMAP4rev1: {}}, AfterMove, 7, 5, 6},
		{"bare delete", imap.CapSet{imap.CapIMAP4rev1: {}}, AfterDelete, 7, 0, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startMemServer(t, tt.caps)
			loadCorpus(t, s)
			otherClientsDeleted(t, s)
			mb := s.mailbox("main")
			mb.After = tt.after
			store := newFakeStore()
			if _, err := Poll(context.Background(), mb, store, nil); err != nil {
				t.Fatalf("Poll: %v", err)
			}
			inbox := s.folder(t, "INBOX")
			flagged := 0
			for _, m := range inbox {
				if hasFlag(m.flags, ProcessedKeyword) {
					flagged++
				}
			}
			if len(inbox) != tt.inbox || flagged != tt.flaggedInInbox || len(s.folder(t, "Processed")) != tt.processed {
				t.Errorf("INBOX %d (%d flagged), Processed %d; want %d (%d), %d",
					len(inbox), flagged, len(s.folder(t, "Processed")), tt.inbox, tt.flaggedInInbox, tt.processed)
			}
			pollFindsNothing(t, mb, store)
		})
	}
}

func TestPollIMAPFlag(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	mb := s.mailbox("main")
	mb.After = AfterFlag
	store := newFakeStore()
	if _, err := Poll(context.Background(), mb, store, nil); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	inbox := s.folder(t, "INBOX")
	if got := names(t, inbox); !reflect.DeepEqual(got, reports) {
		t.Errorf("INBOX = %q, want %q", got, reports)
	}
	for _, m := range inbox {
		if !hasFlag(m.flags, imap.FlagSeen) || !hasFlag(m.flags, ProcessedKeyword) {
			t.Errorf("flags = %v, want \\Seen and %s", m.flags, ProcessedKeyword)
		}
	}
	if s.folder(t, "Processed") != nil {
		t.Errorf("after: flag created the Processed folder")
	}
	pollFindsNothing(t, mb, store)
}

// pollFindsNothing runs another pass and checks it had nothing to do.
func pollFindsNothing(t *testing.T, mb Mailbox, store Store) {
	t.Helper()
	sum, err := Poll(context.Background(), mb, store, nil)
	if err != nil || sum.Fetched != 0 {
		t.Errorf("second Poll fetched %d, err %v; want 0, nil", sum.Fetched, err)
	}
}

func TestPollIMAPRecordFails(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	store.err = errors.New("database unreachable")
	_, err := Poll(context.Background(), s.mailbox("main"), store, nil)
	if !errors.Is(err, store.err) {
		t.Fatalf("Poll error = %v, want %v", err, store.err)
	}
	inbox := s.folder(t, "INBOX")
	for _, m := range inbox {
		if len(m.flags) != 0 {
			t.Errorf("message flagged %v after a failed record, want untouched", m.flags)
		}
	}
	if len(inbox) != 6 || s.folder(t, "Processed") != nil && len(s.folder(t, "Processed")) != 0 {
		t.Errorf("INBOX holds %d, want all 6 untouched", len(inbox))
	}
}

// TestPollIMAPResume fails the second batch, then reruns: the first
// batch's messages were committed and moved, the rest are handled by the
// rerun, and nothing is recorded twice. (Batches are recorded one per
// transaction here; TestPollIMAPMergedBatches covers merged ones.)
func TestPollIMAPResume(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	store.err, store.failAfter = errors.New("connection reset"), 1
	sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 2, mergeBatches: 1})
	if err == nil {
		t.Fatal("Poll succeeded, want the injected error")
	}
	if left := len(s.folder(t, "INBOX")); left != 4 {
		t.Errorf("INBOX holds %d after one committed batch of 2, want 4", left)
	}
	store.err = nil
	sum, err = Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 2})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if sum.Fetched != 4 || sum.Duplicates != 0 || len(store.ledger) != 6 {
		t.Errorf("rerun fetched %d, duplicates %d, ledger %d; want 4, 0, 6", sum.Fetched, sum.Duplicates, len(store.ledger))
	}
	if left := len(s.folder(t, "INBOX")); left != 0 {
		t.Errorf("INBOX holds %d after the rerun, want 0", left)
	}
}

// TestPollIMAPMergedBatches holds the first transaction open until the
// pass has fetched as far ahead as it may: the batches waiting are then
// recorded in one transaction. That transaction fails: none of its
// messages leave INBOX, and a rerun records each of them once.
func TestPollIMAPMergedBatches(t *testing.T) {
	fetches := make(chan struct{}, 64)
	s := serveMem(t, fullCaps, func(s imapserver.Session) imapserver.Session {
		return &fetchSignal{SessionMove: s.(imapserver.SessionMove), fetched: fetches}
	})
	loadCorpus(t, s)
	store := newFakeStore()
	store.err, store.failAfter = errors.New("connection reset"), 1
	var once sync.Once
	// Batches of one: the first transaction holds n of them; fetchAhead
	// more wait behind it, and the fetch after those until the committer
	// takes one.
	store.onRecord = func(n int) {
		once.Do(func() {
			for range min(len(corpus), n+fetchAhead+1) {
				<-fetches
			}
		})
	}
	_, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 1})
	if !errors.Is(err, store.err) {
		t.Fatalf("Poll error = %v, want %v", err, store.err)
	}
	if len(store.sizes) < 2 || store.sizes[1] < 2 {
		t.Fatalf("Record calls of %v messages; want the second to merge several batches", store.sizes)
	}
	committed := store.sizes[0]
	if left := len(s.folder(t, "INBOX")); left != len(corpus)-committed || len(store.ledger) != committed {
		t.Errorf("INBOX holds %d, ledger %d; want %d and %d: only the first transaction committed",
			left, len(store.ledger), len(corpus)-committed, committed)
	}
	store.err, store.onRecord = nil, nil
	sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 1})
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if sum.Fetched != len(corpus)-committed || sum.Duplicates != 0 || len(store.ledger) != len(corpus) || len(s.folder(t, "INBOX")) != 0 {
		t.Errorf("rerun fetched %d, duplicates %d, ledger %d, INBOX %d; want %d, 0, %d, 0",
			sum.Fetched, sum.Duplicates, len(store.ledger), len(s.folder(t, "INBOX")), len(corpus)-committed, len(corpus))
	}
}

// fetchSignal is a session that reports each FETCH it has served.
type fetchSignal struct {
	imapserver.SessionMove
	fetched chan<- struct{}
}

func (s *fetchSignal) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	err := s.SessionMove.Fetch(w, numSet, options)
	s.fetched <- struct{}{}
	return err
}

// TestPollIMAPCancelAfterCommit cancels the pass right after a commit,
// before the messages are moved: they stay, and the rerun records them as
// duplicates (counted once) and moves them.
func TestPollIMAPCancelAfterCommit(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	ctx, cancel := context.WithCancel(context.Background())
	store.onRecord = func(int) { cancel() }
	if _, err := Poll(ctx, s.mailbox("main"), store, nil); err == nil {
		t.Fatal("Poll succeeded after cancel, want an error")
	}
	if left := len(s.folder(t, "INBOX")); left != 6 {
		t.Errorf("INBOX holds %d, want 6: nothing moved after the cancel", left)
	}
	store.onRecord = nil
	sum, err := Poll(context.Background(), s.mailbox("main"), store, nil)
	if err != nil {
		t.Fatalf("rerun: %v", err)
	}
	if sum.Duplicates != 6 || len(store.ledger) != 6 || len(s.folder(t, "INBOX")) != 0 {
		t.Errorf("rerun duplicates %d, ledger %d, INBOX %d; want 6, 6, 0", sum.Duplicates, len(store.ledger), len(s.folder(t, "INBOX")))
	}
}

// TestPollIMAPUIDValidity re-creates the folder with the same messages (a
// restore: new UIDVALIDITY, new UIDs, flags gone). The pass fetches them
// again; the content-hash ledger makes that a no-op.
func TestPollIMAPUIDValidity(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	mb := s.mailbox("main")
	mb.After = AfterFlag
	store := newFakeStore()
	if _, err := Poll(context.Background(), mb, store, nil); err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if err := s.user.Delete("INBOX"); err != nil {
		t.Fatal(err)
	}
	if err := s.user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	loadCorpus(t, s)
	sum, err := Poll(context.Background(), mb, store, nil)
	if err != nil {
		t.Fatalf("Poll after UIDVALIDITY change: %v", err)
	}
	if sum.Fetched != 6 || sum.Duplicates != 6 || sum.NewlySuppressed != 0 || len(store.ledger) != 6 {
		t.Errorf("after UIDVALIDITY change: fetched %d, duplicates %d, newly suppressed %d, ledger %d; want 6, 6, 0, 6",
			sum.Fetched, sum.Duplicates, sum.NewlySuppressed, len(store.ledger))
	}
}

// TestPollIMAPStop closes Stop once the first batch is committed: that
// batch is finished, batches fetched ahead are left unrecorded, nothing
// more is fetched, and what was recorded has left INBOX.
func TestPollIMAPStop(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	stop := make(chan struct{})
	var once sync.Once
	store := newFakeStore()
	store.onRecord = func(int) { once.Do(func() { close(stop) }) }
	var last ProgressInfo
	opts := &Options{BatchSize: 2, mergeBatches: 1, Stop: stop, Progress: func(p ProgressInfo) { last = p }}
	sum, err := Poll(context.Background(), s.mailbox("main"), store, opts)
	if err != nil || !sum.Stopped || sum.Fetched != 2 || len(store.ledger) != 2 {
		t.Fatalf("Poll = fetched %d, stopped %v, err %v, ledger %d; want 2, true, nil, 2", sum.Fetched, sum.Stopped, err, len(store.ledger))
	}
	if want := (ProgressInfo{Mailbox: "main", Done: sum.Fetched, Total: 6}); last != want {
		t.Errorf("last progress = %+v, want %+v", last, want)
	}
	if left := len(s.folder(t, "INBOX")); left != 6-sum.Fetched || sum.Waiting != left {
		t.Errorf("INBOX holds %d, summary waiting %d; want %d", left, sum.Waiting, 6-sum.Fetched)
	}
	store.onRecord = nil
	again, err := Poll(context.Background(), s.mailbox("main"), store, nil)
	if err != nil || again.Fetched != 4 || again.Duplicates != 0 || len(store.ledger) != 6 || len(s.folder(t, "INBOX")) != 0 {
		t.Errorf("rerun fetched %d, duplicates %d, err %v, ledger %d, INBOX %d; want 4, 0, nil, 6, 0",
			again.Fetched, again.Duplicates, err, len(store.ledger), len(s.folder(t, "INBOX")))
	}
}

func TestPollIMAPBadLogin(t *testing.T) {
	s := startMemServer(t, nil)
	mb := s.mailbox("main")
	mb.Password = "wrong-password-xyz"
	_, err := Poll(context.Background(), mb, newFakeStore(), nil)
	if err == nil {
		t.Fatal("Poll with a wrong password succeeded")
	}
	if got := err.Error(); contains(got, mb.Password) {
		t.Errorf("error %q contains the password", got)
	}
}

// TestPollIMAPPoisonMessage: the store refuses any batch holding the hard
// bounce (as Postgres refuses a NUL byte). The rest is recorded, the
// refused message is quarantined to the failed folder, nothing blocks.
func TestPollIMAPPoisonMessage(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	store.refuse = func(m suppression.Message) bool {
		return m.Report != nil && len(m.Report.Recipients) > 0 && m.Report.Recipients[0].FinalRecipient == "kijitora@example.co.jp"
	}
	sum, err := Poll(context.Background(), s.mailbox("main"), store, &Options{BatchSize: 3})
	if err != nil {
		t.Fatalf("Poll: %v", err)
	}
	if sum.Fetched != 6 || sum.Unparsed != 1 || len(store.ledger) != 6 {
		t.Errorf("summary %s, ledger %d; want 6 fetched, 1 quarantined, 6 in the ledger", sum, len(store.ledger))
	}
	if got, want := names(t, s.folder(t, "Unprocessed")), []string{"hard", "junk"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Unprocessed = %q, want %q", got, want)
	}
	if got, want := names(t, s.folder(t, "Processed")), []string{"autoreply", "block", "complaint", "soft"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Processed = %q, want %q", got, want)
	}
}

// TestPollIMAPStoreDownNoQuarantine: a store that refuses everything is
// down, not facing poison: nothing is quarantined or moved.
func TestPollIMAPStoreDownNoQuarantine(t *testing.T) {
	s := startMemServer(t, nil)
	loadCorpus(t, s)
	store := newFakeStore()
	store.refuse = func(suppression.Message) bool { return true }
	if _, err := Poll(context.Background(), s.mailbox("main"), store, nil); err == nil {
		t.Fatal("Poll succeeded with the store refusing everything")
	}
	if len(store.ledger) != 0 || len(s.folder(t, "INBOX")) != 6 {
		t.Errorf("ledger %d, INBOX %d; want 0 and 6", len(store.ledger), len(s.folder(t, "INBOX")))
	}
}

func TestInChunks(t *testing.T) {
	var scattered imap.UIDSet
	for u := imap.UID(1); u <= 2*maxRanges+3; u++ {
		scattered.AddNum(2 * u) // no two adjacent: one range each
	}
	var got imap.UIDSet
	calls := 0
	err := inChunks(scattered, func(part imap.UIDSet) error {
		if len(part) > maxRanges {
			t.Errorf("a command names %d ranges, want at most %d", len(part), maxRanges)
		}
		calls++
		got.AddSet(part)
		return nil
	})
	if err != nil || calls != 3 || got.String() != scattered.String() {
		t.Errorf("inChunks: %d calls, err %v, covered the set: %v; want 3, nil, true", calls, err, got.String() == scattered.String())
	}
	if err := inChunks(nil, func(imap.UIDSet) error { t.Error("called for an empty set"); return nil }); err != nil {
		t.Error(err)
	}
}

func TestGroupSize(t *testing.T) {
	for _, tt := range []struct{ n, override, want int }{
		{6, 2, 2},
		{100, 0, disposeGroup},
		{20000, 0, disposeGroup},
		{100000, 0, 25000},
		{1000000, 0, disposeGroupMax},
	} {
		if got := groupSize(tt.n, tt.override); got != tt.want {
			t.Errorf("groupSize(%d, %d) = %d, want %d", tt.n, tt.override, got, tt.want)
		}
	}
}
