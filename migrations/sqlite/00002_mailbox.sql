-- +goose Up
-- SQLite dialect: see the header of 00001_core.sql. Keep in step with ../postgres/00002_mailbox.sql.
-- Poll state per configured mailbox, written by the poller through
-- suppression.Store.RecordPoll: last success and failure, failures in a row.
CREATE TABLE mailbox_status (
    mailbox              text PRIMARY KEY,
    last_poll_at         timestamp NOT NULL,
    last_success_at      timestamp,
    last_failure_at      timestamp,
    last_error           text NOT NULL DEFAULT '',
    consecutive_failures integer NOT NULL DEFAULT 0,
    fetched              integer NOT NULL DEFAULT 0, -- messages fetched by the last poll
    waiting              integer NOT NULL DEFAULT 0, -- messages left in the mailbox after it
    duration_ms          integer NOT NULL DEFAULT 0
);

-- POP3 UIDs already handled when the mailbox is configured with after: flag
-- (POP3 has no flags, so bouncer remembers them).
CREATE TABLE mailbox_seen (
    mailbox text NOT NULL,
    uid     text NOT NULL,
    seen_at timestamp NOT NULL,
    PRIMARY KEY (mailbox, uid)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE mailbox_seen;
DROP TABLE mailbox_status;
