-- +goose Up
-- SQLite dialect: see ../postgres/00030_ingest_indexes.sql. bounce_events.id
-- is the rowid here, which costs nothing, so it stays the primary key.

-- The newest ledgered message of each mailbox, kept by Record, in place of
-- the ledger's (mailbox, received_at) index of 00010.
CREATE TABLE mailbox_received (
    mailbox          text PRIMARY KEY,
    last_received_at timestamp NOT NULL
) WITHOUT ROWID;
INSERT INTO mailbox_received (mailbox, last_received_at)
SELECT mailbox, max(received_at) FROM processed_messages GROUP BY mailbox;
DROP INDEX processed_messages_mailbox_received_at_idx;

-- +goose Down
CREATE INDEX processed_messages_mailbox_received_at_idx ON processed_messages (mailbox, received_at);
DROP TABLE mailbox_received;
