package main

import (
	"bytes"
	"io"
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

// TestTablesUseAWiderTerminal: on a terminal wider than tableWidth the
// list shows whole reasons (no "userunkno…" beside a long address); to
// anything else it keeps to tableWidth.
func TestTablesUseAWiderTerminal(t *testing.T) {
	now := time.Now()
	es := []suppression.Entry{{Email: "email_that_does_not_exist_this_is_just_a_test@example.com", Suppressed: true,
		SuppressedReason: "userunknown", Source: "bounce", HardCount: 1, LastSeen: now}}
	orig := terminalWidth
	t.Cleanup(func() { terminalWidth = orig })
	for _, tt := range []struct {
		cols int
		want string
	}{{0, "userunkno…"}, {80, "userunkno…"}, {160, "userunknown "}} {
		terminalWidth = func(io.Writer) (int, bool) { return tt.cols, tt.cols > 0 }
		var out bytes.Buffer
		if err := printEntries(&out, "table", es, now); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("a terminal of %d columns:\n%s\nwant %q", tt.cols, out.String(), tt.want)
		}
	}
}
