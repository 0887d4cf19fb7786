package poller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
)

// hostileReport is a valid DSN whose delivery-status part lists 2,000
// recipients with long diagnostics: the parser keeps the first
// dsn.DefaultMaxRecipients records, about 100 KB of text.
func hostileReport() []byte {
	var b strings.Builder
	b.WriteString("From: MAILER-DAEMON@mx.example.net\r\nTo: bounces@example.com\r\nSubject: Undelivered Mail\r\n" +
		"Message-ID: <hostile@mx.example.net>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"H\"\r\n\r\n" +
		"--H\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--H\r\nContent-Type: message/delivery-status\r\n\r\n" +
		"Reporting-MTA: dns; mx.example.net\r\n\r\n")
	diag := "550 5.1.1 " + strings.Repeat("no such user here ", 50)
	for i := range 2000 {
		fmt.Fprintf(&b, "Final-Recipient: rfc822; u%05d@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; %s\r\n\r\n", i, diag)
	}
	b.WriteString("--H--\r\n")
	return []byte(b.String())
}

// TestBatchBoundedByBytes: the next batch of an IMAP pass holds as many
// messages as maxBatchBytes allows at the bytes the previous batch's
// reports keep alive (issue 14 item 6), so a mailbox of hostile DSNs is
// recorded in small batches, while ordinary bounces keep the configured
// size.
func TestBatchBoundedByBytes(t *testing.T) {
	rd := &reader{mailbox: "m"}
	batchOf := func(raw []byte, n int) *batch {
		b := &batch{}
		for range n {
			msg, err := rd.readBytes(raw, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			b.items = append(b.items, &fetched{msg: msg})
		}
		return b
	}
	if got := batchOf(readCorpus(t, "hard"), firstBatch).nextSize(500); got != 500 {
		t.Errorf("after a batch of ordinary bounces the next holds %d, want the configured 500", got)
	}
	hostile := batchOf(hostileReport(), 4)
	if n := len(hostile.items[0].msg.Report.Recipients); n != dsn.DefaultMaxRecipients {
		t.Fatalf("the hostile report gave %d records, want %d", n, dsn.DefaultMaxRecipients)
	}
	var text int64 // what one hostile message's records hold
	for _, r := range hostile.items[0].msg.Report.Recipients {
		text += int64(len(r.Diagnostic) + len(r.FinalRecipient))
	}
	per := hostile.retained() / int64(len(hostile.items))
	if per < text {
		t.Errorf("retained() counts %d bytes a message, less than the %d its records hold", per, text)
	}
	size := hostile.nextSize(500)
	if size >= 500 || int64(size)*text > maxBatchBytes {
		t.Errorf("after hostile reports (%d bytes of records each) the next batch holds %d: %d bytes, want at most %d",
			text, size, int64(size)*text, maxBatchBytes)
	}
}
