package poller

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/internal/testenv"
)

// TestDovecotScatteredGroups passes over 2*maxRanges+2 messages, reports
// and junk alternating, so each disposal names one UID range per message:
// one group of 2,001 ranges each way (two commands each) on the pass's
// session, or groups moved by the disposer's own session while the pass
// still fetches. Every message ends in its folder, recorded once.
func TestDovecotScatteredGroups(t *testing.T) {
	const n = 2*maxRanges + 2
	for _, tt := range []struct {
		group int
		after string
	}{{0, AfterMove}, {1000, AfterMove}, {1000, AfterFlag}, {1000, AfterDelete}} {
		t.Run(fmt.Sprintf("%s-group=%d", tt.after, tt.group), func(t *testing.T) {
			d := testenv.Dovecot(t)
			soft, junk := readCorpus(t, "soft"), readCorpus(t, "junk")
			for i := range n {
				body := soft
				if i%2 == 1 {
					body = junk
				}
				raw := append([]byte(fmt.Sprintf("X-Seq: %d\r\n", i)), body...)
				d.DeliverMaildirAt(raw, arrival.Add(time.Duration(i)*time.Second))
			}
			mb := Mailbox{Name: "dovecot", Protocol: ProtocolIMAP, Host: d.Host, Port: d.IMAPPort, TLS: TLSNone,
				Username: d.User, Password: d.Password, After: tt.after}
			store := newFakeStore()
			sum, err := Poll(context.Background(), mb, store, &Options{BatchSize: 500, disposeGroup: tt.group})
			if err != nil {
				t.Fatalf("Poll: %v", err)
			}
			if sum.Fetched != n || sum.Waiting != 0 || sum.Duplicates != 0 || len(store.ledger) != n {
				t.Errorf("fetched %d, waiting %d, duplicates %d, ledger %d; want %d, 0, 0, %d", sum.Fetched, sum.Waiting, sum.Duplicates, len(store.ledger), n, n)
			}
			wantIn, wantP := map[string]int{AfterMove: 0, AfterFlag: n / 2, AfterDelete: 0}[tt.after], map[string]int{AfterMove: n / 2}[tt.after]
			if in, p, u := maildirCount(t, d, ""), maildirCount(t, d, "Processed"), maildirCount(t, d, "Unprocessed"); in != wantIn || p != wantP || u != n/2 {
				t.Errorf("INBOX %d, Processed %d, Unprocessed %d; want %d, %d, %d", in, p, u, wantIn, wantP, n/2)
			}
			pollFindsNothing(t, mb, store)
		})
	}
}
