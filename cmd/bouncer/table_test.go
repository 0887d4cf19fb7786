package main

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// TestTablesFitAndNameTheirZone: the list and show tables stay within 100
// columns whatever the reason or diagnostic, and label their times' zone.
func TestTablesFitAndNameTheirZone(t *testing.T) {
	now := time.Now()
	exp := now.Add(time.Hour)
	long := strings.Repeat("a diagnostic that goes on and on ", 6)
	es := []suppression.Entry{
		{Email: "firstname.lastname@example.com", Suppressed: true, SuppressedReason: "a reason someone typed by hand, at length", Source: "manual", ExpiresAt: &exp, LastSeen: now},
		{Email: "b@x.test", LastReason: "mailboxfull", Source: "bounce", SoftCount: 2, LastSeen: now},
	}
	var list bytes.Buffer
	if err := printEntries(&list, "table", es, now); err != nil {
		t.Fatal(err)
	}
	d := suppression.Detail{Entry: es[1], Events: []suppression.Event{
		{ReceivedAt: now, Class: dsn.ClassSoft, Reason: dsn.ReasonMailboxFull, Status: "4.2.2", Mailbox: "bounces", Diagnostic: long},
	}}
	var show bytes.Buffer
	if err := printDetail(&show, "table", d, now); err != nil {
		t.Fatal(err)
	}
	zone := "(" + now.Local().Format("MST") + ")"
	for name, out := range map[string]string{"list": list.String(), "show": show.String()} {
		for _, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > tableWidth {
				t.Errorf("%s: a line of %d columns:\n%s", name, n, line)
			}
		}
		if !strings.Contains(out, zone) {
			t.Errorf("%s: no zone label %s:\n%s", name, zone, out)
		}
	}
	if !strings.Contains(list.String(), "firstname.lastname@example.com  ") {
		t.Errorf("list cut an address:\n%s", list.String())
	}
}
