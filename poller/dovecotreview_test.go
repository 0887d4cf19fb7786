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
	for _, group := range []int{0, 1000} {
		t.Run(fmt.Sprintf("group=%d", group), func(t *testing.T) {
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
				Username: d.User, Password: d.Password}
			store := newFakeStore()
			sum, err := Poll(context.Background(), mb, store, &Options{BatchSize: 500, disposeGroup: group})
			if err != nil {
				t.Fatalf("Poll: %v", err)
			}
			if sum.Fetched != n || sum.Waiting != 0 || sum.Duplicates != 0 || len(store.ledger) != n {
				t.Errorf("fetched %d, waiting %d, duplicates %d, ledger %d; want %d, 0, 0, %d", sum.Fetched, sum.Waiting, sum.Duplicates, len(store.ledger), n, n)
			}
			if in, p, u := maildirCount(t, d, ""), maildirCount(t, d, "Processed"), maildirCount(t, d, "Unprocessed"); in != 0 || p != n/2 || u != n/2 {
				t.Errorf("INBOX %d, Processed %d, Unprocessed %d; want 0, %d, %d", in, p, u, n/2, n/2)
			}
		})
	}
}
