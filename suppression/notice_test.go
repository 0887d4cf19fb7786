package suppression

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/bouncer-mail/bouncer/dsn"
)

// softNotice is one soft-bounce notice (Message-ID id, from mta) as it
// reaches the mailbox through relay: only its Received: line differs
// between copies.
func softNotice(t *testing.T, relay, mta, id string) Message {
	t.Helper()
	raw := fmt.Sprintf("Received: from %s by mail.example.com; Sun, 1 Mar 2026 12:00:00 +0000\r\n"+
		"From: MAILER-DAEMON@%s\r\nTo: bounces@example.com\r\nSubject: Delivery delayed\r\nMessage-ID: <%s>\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=B\r\n\r\n"+
		"--B\r\nContent-Type: text/plain\r\n\r\nMailbox full.\r\n"+
		"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; %s\r\n\r\n"+
		"Final-Recipient: rfc822; full@example.org\r\nAction: failed\r\nStatus: 4.2.2\r\nDiagnostic-Code: smtp; 452 4.2.2 mailbox full\r\n\r\n--B--\r\n",
		relay, mta, id, mta)
	rep, err := dsn.Parse(strings.NewReader(raw))
	if err != nil || len(rep.Recipients) != 1 || rep.Recipients[0].Class != dsn.ClassSoft {
		t.Fatalf("dsn.Parse(notice) = %+v, %v; want one soft record", rep, err)
	}
	sum := sha256.Sum256([]byte(raw))
	return Message{Key: hex.EncodeToString(sum[:]), Mailbox: "main", ReceivedAt: t0, Report: rep}
}

// The same notice delivered three times with different Received: lines
// (three ledger keys) counts once, whether the copies come in one batch
// or in several; a different notice from the same MTA about the same
// address, or the same Message-ID from another MTA, counts again.
func TestRecordRepeatedNoticeCountsOnce(t *testing.T) {
	dialects(t, Options{}, func(t *testing.T, s *Store) {
		a, b, c := softNotice(t, "relay1", "mx.example.org", "n1@mx.example.org"),
			softNotice(t, "relay2", "mx.example.org", "n1@mx.example.org"),
			softNotice(t, "relay3", "mx.example.org", "n1@mx.example.org")
		res := mustRecord(t, s, t0, a, b)
		if res.Events != 1 || res.Duplicates != 0 {
			t.Errorf("two copies in one batch: events %d, duplicates %d; want 1, 0", res.Events, res.Duplicates)
		}
		if res := mustRecord(t, s, t0, c); res.Events != 0 || res.Repeated != 1 {
			t.Errorf("third copy: events %d, repeated %d; want 0, 1", res.Events, res.Repeated)
		}
		if e := mustEntry(t, s, "full@example.org"); e.SoftCount != 1 {
			t.Errorf("soft_count after three copies = %d, want 1", e.SoftCount)
		}
		if outcome, text := ledger(t, s, c.Key); outcome != OutcomeRepeated || !strings.Contains(text, "repeat a notice") {
			t.Errorf("ledger of the third copy = %q %q, want %q and a note", outcome, text, OutcomeRepeated)
		}
		other := softNotice(t, "relay1", "mx.example.org", "n2@mx.example.org")
		elsewhere := softNotice(t, "relay1", "mx2.example.org", "n1@mx.example.org")
		if res := mustRecord(t, s, t0, other, elsewhere); res.Events != 2 {
			t.Errorf("another notice and another MTA: events %d, want 2", res.Events)
		}
		if e := mustEntry(t, s, "full@example.org"); e.SoftCount != 3 {
			t.Errorf("soft_count = %d, want 3", e.SoftCount)
		}
	})
}
