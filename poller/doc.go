// Package poller reads bounce mailboxes over IMAP and POP3 and feeds every
// message through dsn.Parse into a Store, one pass at a time.
//
// It owns the mailbox protocols (go-imap/v2 for IMAP, its own client in
// poller/pop3), the ingest loop (fetch → hash and parse while streaming →
// record the batch → only then move, delete or flag the messages), the
// guarded pass a scheduler runs (Runner: a lock per mailbox and a back-off
// after failures) and the XOAUTH2 SASL mechanism.
//
// It holds no SQL and renders no reports: it declares the small Store
// interface it needs and cmd/bouncer wires the suppression store into it.
// Schedules and signals live in cmd/bouncer; Poll is one pass, so --once and
// an external cron work the same way.
//
// The guarantee: a message leaves the mailbox (or, for POP3 with after:
// flag, is remembered as seen) only after the batch holding it has been
// committed by Store.Record. Every message is keyed by the SHA-256 of its
// bytes, so a message fetched twice (a crash before the move, a dropped
// connection, a UIDVALIDITY change that renumbers the folder) is recorded
// once.
package poller
