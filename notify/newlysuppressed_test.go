package notify

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/suppression"
)

// A newly suppressed address is listed with its suppression's reason and,
// when the last event has that reason, its status and diagnostic; a soft
// bounce that came after the complaint that suppressed the address is not
// shown under "feedback" as if it were the complaint's. The CSV keeps the
// last event's fields under their own names.
func TestNewlySuppressedShowsTheCauseOnly(t *testing.T) {
	dialects(t, func(t *testing.T, s *suppression.Store) {
		at := func(h int) time.Time { return reportDay.Add(time.Duration(h) * time.Hour) }
		record(t, s,
			bounce("hard", at(9), failed("dead@example.com", dsn.ClassHard, dsn.ReasonUserUnknown, "5.1.1", "mx.example.com", "550 5.1.1 no such user")),
			bounce("fbl", at(10), dsn.Recipient{FinalRecipient: "kijitora@y.example.com", Class: dsn.ClassComplaint, Reason: dsn.ReasonFeedback, FeedbackType: "abuse"}),
			bounce("soft", at(11), failed("kijitora@y.example.com", dsn.ClassSoft, dsn.ReasonSystemError, "4.1.9", "mx.y.example.com", "Resources temporarily unavailable [#4.1.9]")))
		r, err := Build(context.Background(), s, reportDay, dueAt, ReportOptions{Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, n := range r.NewlySuppressedShown {
			text.WriteString(n.Email + " " + n.Reason + " " + n.Status + " " + n.Diagnostic + "\n")
		}
		got := text.String()
		if !strings.Contains(got, "dead@example.com userunknown 5.1.1 550 5.1.1 no such user\n") ||
			!strings.Contains(got, "kijitora@y.example.com feedback  \n") {
			t.Errorf("newly suppressed in the body:\n%s\nwant the hard bounce's diagnostic, and none under the complaint", got)
		}
		var csv strings.Builder
		if err := WriteCSV(&csv, r.NewlySuppressed); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(csv.String(), "kijitora@y.example.com,y.example.com,") || !strings.Contains(csv.String(), ",feedback,soft,4.1.9,Resources temporarily unavailable [#4.1.9],complaint") {
			t.Errorf("the CSV lost the last event's fields:\n%s", csv.String())
		}
	})
}
