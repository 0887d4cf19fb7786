package main

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bouncer-mail/bouncer/dsn"
	"github.com/bouncer-mail/bouncer/internal/testenv"
	"github.com/bouncer-mail/bouncer/suppression"
)

// machineDependent matches what the sample of docs/operations.md cannot
// fix: how many rows went, how long a batch took, and the dates (the
// months are those after the test's migration, which partitions by the
// month it ran in).
var machineDependent = regexp.MustCompile(`pruned [0-9]+ rows?|longest [^ ]+\n|[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}|_p[0-9]{4}_[0-9]{2}`)

// The prune sample of docs/operations.md is what bouncer prune prints on
// Postgres the morning a month passes the retention, after monthly prunes
// with the default retention for 15 months: every table's line, the month
// it drops, the month it creates ahead and the batches of the tables
// pruned row by row.
func TestPruneDocExamplePostgres(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	s, err := suppression.Open(ctx, url, suppression.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	local := time.Local
	time.Local = time.UTC // the times as in the sample
	t.Cleanup(func() { time.Local = local })
	r := RetentionConfig{Events: defaultEventRetention, Ledger: defaultLedgerRetention, Sent: defaultSentRetention}.retention()
	record := func(when time.Time, n int) {
		day := when.Format(time.DateOnly)
		msgs := make([]suppression.Message, n)
		for i := range msgs {
			key := fmt.Sprintf("%s-%d", day, i)
			msgs[i] = suppression.Message{Key: key, Mailbox: "main", ReceivedAt: when, Report: &dsn.Report{Type: dsn.TypeDSN,
				Recipients: []dsn.Recipient{{FinalRecipient: key + "@x.test", Status: "5.1.1", Class: dsn.ClassHard, Reason: dsn.ReasonUserUnknown}}}}
		}
		if _, err := s.Record(ctx, msgs, when); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddSent(ctx, []suppression.Sent{{ID: day, Stream: "newsletter", Count: 5000, At: when}}, when); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), 10, 3, 0, 0, 0, time.UTC) // the 10th, 03:00 UTC: 400 and 90 days before it fall in a month after a whole one
	for k := range 15 {
		month := start.AddDate(0, k, 0)
		if _, err := s.Prune(ctx, r, month, false); err != nil {
			t.Fatalf("prune of %s: %v", month, err)
		}
		if k == 1 || k == 11 { // the months the last prune drops: of the events, of the ledger
			record(month.Add(time.Hour), 3)
		}
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil { // the row estimates of the months dropped
		t.Fatal(err)
	}
	res, err := s.Prune(ctx, r, start.AddDate(0, 15, 0), false)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := printPrune(&out, res); err != nil {
		t.Fatal(err)
	}
	want := docSample(t, "operations.md", "bouncer prune")
	if got := machineDependent.ReplaceAllString(out.String(), "…"); got != machineDependent.ReplaceAllString(want, "…") {
		t.Errorf("docs/operations.md's prune sample:\n%s\nbouncer prune prints:\n%s", want, out.String())
	}
}
