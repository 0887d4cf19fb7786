package migrations

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// A Postgres database at 00065 with events and ledger rows over several
// months upgrades to 00066: every row is still there, the old table is
// the partition of everything before next month, the next three months
// and a default partition exist, new rows land in their month, a message
// key stays unique within a partition, and the event ids go on from the
// same sequence even once the old table is dropped.
func TestUpgradePartitions(t *testing.T) {
	db, p := upgradeDB(t, Postgres)
	ctx := context.Background()
	if _, err := p.UpTo(ctx, 65); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	const n = 300
	for i := range n {
		at := thisMonth.AddDate(0, -i%5, 0).Add(time.Duration(i) * time.Minute)
		key := fmt.Sprintf("k%03d", i)
		exec(`INSERT INTO processed_messages (message_key, mailbox, received_at, processed_at, type) VALUES ($1, 'a', $2, $2, 'dsn')`, key, at)
		exec(`INSERT INTO bounce_events (received_at, mailbox, message_key, recipient, domain, class, reason, original_message_id) VALUES ($1, 'a', $2, 'x@y.test', 'y.test', 'hard', 'userunknown', $3)`, at, key, "<"+key+"@app>")
	}
	var lastID int64
	if err := db.QueryRowContext(ctx, `SELECT max(id) FROM bounce_events`).Scan(&lastID); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 71); err != nil { // 00072 moves the keys' uniqueness (TestUpgradeLedgerKeys)
		t.Fatal(err)
	}
	next := thisMonth.AddDate(0, 1, 0)
	for _, tbl := range []string{"bounce_events", "processed_messages"} {
		var count int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM `+tbl).Scan(&count); err != nil || count != n {
			t.Errorf("%s after upgrade: %d rows, %v; want %d", tbl, count, err, n)
		}
		parts := partitionBounds(t, db, tbl)
		want := []string{tbl + "_before", tbl + "_default"}
		for i := range 3 {
			want = append(want, fmt.Sprintf("%s_p%s", tbl, next.AddDate(0, i, 0).Format("2006_01")))
		}
		if len(parts) != len(want) {
			t.Fatalf("%s partitions = %q, want %q", tbl, parts, want)
		}
		for i := range want {
			if len(parts[i]) < len(want[i]) || parts[i][:len(want[i])] != want[i] {
				t.Errorf("%s partition %d = %q, want %s…", tbl, i, parts[i], want[i])
			}
		}
	}
	exec(`INSERT INTO processed_messages (message_key, mailbox, received_at, processed_at, type) VALUES ('new', 'a', $1, $1, 'dsn')`, next.Add(time.Hour))
	var where string
	if err := db.QueryRowContext(ctx, `SELECT tableoid::regclass::text FROM processed_messages WHERE message_key = 'new'`).Scan(&where); err != nil ||
		where != "processed_messages_p"+next.Format("2006_01") {
		t.Errorf("a row of next month went to %q (%v)", where, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO processed_messages (message_key, mailbox, received_at, processed_at, type) VALUES ('new', 'a', $1, $1, 'dsn')`, next.Add(2*time.Hour)); err == nil {
		t.Error("a message key twice in one partition was accepted")
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO processed_messages (message_key, mailbox, received_at, processed_at, type) VALUES ('k001', 'a', $1, $1, 'dsn')`, thisMonth.Add(-time.Hour)); err == nil {
		t.Error("an old message key twice in the old table was accepted")
	}
	exec(`DROP TABLE bounce_events_before`)
	var id int64
	if err := db.QueryRowContext(ctx, `INSERT INTO bounce_events (received_at, mailbox, message_key, recipient, domain, class, reason) VALUES ($1, 'a', 'new', 'x@y.test', 'y.test', 'hard', 'userunknown') RETURNING id`, next).Scan(&id); err != nil || id <= lastID {
		t.Errorf("event id after the upgrade = %d, %v; want > %d from the same sequence", id, err, lastID)
	}
}

// A Postgres database at 00071 with ledger rows in several monthly
// partitions (and in the table 00066 kept as the oldest one) upgrades to
// 00072: processed_keys holds every key once with its received_at, the
// partitions keep no unique index of their own, and processed_keys refuses
// a key twice whatever the month.
func TestUpgradeLedgerKeys(t *testing.T) {
	db, p := upgradeDB(t, Postgres)
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := p.UpTo(ctx, 65); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	want := map[string]time.Time{}
	add := func(key string, at time.Time) {
		exec(`INSERT INTO processed_messages (message_key, mailbox, received_at, processed_at, type) VALUES ($1, 'a', $2, $2, 'dsn')`, key, at)
		want[key] = at
	}
	for i := range 40 { // before 00066: they stay in processed_messages_before
		add(fmt.Sprintf("old%02d", i), thisMonth.AddDate(0, -i%3, 0).Add(time.Duration(i)*time.Minute))
	}
	if _, err := p.UpTo(ctx, 71); err != nil {
		t.Fatal(err)
	}
	for i := range 30 { // the months 00066 created
		add(fmt.Sprintf("new%02d", i), thisMonth.AddDate(0, 1+i%3, 0).Add(time.Duration(i)*time.Minute))
	}
	if _, err := Up(ctx, db, Postgres); err != nil {
		t.Fatal(err)
	}
	rows, err := db.QueryContext(ctx, `SELECT message_key, received_at FROM processed_keys`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Time{}
	for rows.Next() {
		var k string
		var at time.Time
		if err := rows.Scan(&k, &at); err != nil {
			t.Fatal(err)
		}
		if _, dup := got[k]; dup {
			t.Errorf("key %s twice in processed_keys", k)
		}
		got[k] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(got) != len(want) {
		t.Errorf("processed_keys holds %d keys, want %d", len(got), len(want))
	}
	for k, at := range want {
		if !got[k].Equal(at) {
			t.Errorf("key %s: received_at %v, want %v", k, got[k], at)
		}
	}
	var unique int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indrelid
		WHERE i.inhparent = 'processed_messages'::regclass AND x.indisunique`).Scan(&unique); err != nil || unique != 0 {
		t.Errorf("unique indexes left on the ledger's partitions: %d (%v), want 0", unique, err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO processed_keys (message_key, received_at) VALUES ('old01', $1)`, thisMonth.AddDate(0, 2, 0)); err == nil {
		t.Error("processed_keys accepted a key it holds, in another month")
	}
}
