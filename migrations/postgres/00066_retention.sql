-- +goose Up
-- Retention (issue #16): events, the ledger and (later) sent counts are
-- kept for a configured time and pruned daily (suppression.Store.Prune).
-- Keep in step with the other dialect.

-- How far each table has been pruned: rows received before pruned_before
-- are gone. recompute reads it to say which dates it can see.
CREATE TABLE retention_horizon (
    table_name    text PRIMARY KEY,
    pruned_before timestamptz NOT NULL,
    pruned_at     timestamptz NOT NULL
);

-- bounce_events and processed_messages become range-partitioned by month
-- of received_at (UTC), so that pruning drops a whole month (a catalog
-- change) instead of deleting millions of rows and vacuuming after them.
--
-- How, for a table of a few million rows that replicas still write: the
-- existing table is not copied. It is renamed to NAME_before and attached
-- as the partition of everything before the first month boundary after
-- its newest row (FROM (MINVALUE)); a new partitioned table takes the old
-- name, with a DEFAULT partition (rows no monthly partition takes: far
-- future dates) and the next three months; Prune creates the months ahead
-- from then on, drops a month once all of it is older than the retention,
-- and deletes NAME_before's old rows in batches until it can drop it too.
-- The cost under the migration's lock is one sequential read per table
-- (the CHECK constraint that proves the old rows fit the range, so ATTACH
-- need not read them again): about a second per few million rows. Moving
-- the rows in batches instead would hold the same lock while writing every
-- row twice (heap, WAL, indexes) and would need a vacuum after.
--
-- Indexes: the existing ones are attached to the partitioned indexes as
-- they are, none is rebuilt. Postgres requires a unique index of a
-- partitioned table to include the partition key, and (message_key,
-- received_at) would not stop a message counting twice, so the ledger's
-- uniqueness moves to each partition: every partition has a unique index
-- on message_key of its own (the old table keeps its primary key). A
-- message is counted once across partitions as before: Record looks its
-- key up under the write lock (suppression/ingest.go, insertLedger) before
-- it writes it.
-- +goose StatementBegin
DO $$
DECLARE
    t text;
    b timestamptz;
    m timestamptz;
    part text;
BEGIN
    SET LOCAL TimeZone = 'UTC'; -- month boundaries are UTC midnights
    FOREACH t IN ARRAY ARRAY['bounce_events', 'processed_messages'] LOOP
        EXECUTE format('SELECT greatest(date_trunc(''month'', now()), date_trunc(''month'', max(received_at))) + interval ''1 month'' FROM %I', t) INTO b;
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (received_at < %L)', t, t || '_before_check', b);
        EXECUTE format('ALTER TABLE %I RENAME TO %I', t, t || '_before');
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS) PARTITION BY RANGE (received_at)', t, t || '_before');
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', t, t || '_before', b);
        EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t || '_before', t || '_before_check');
        EXECUTE format('CREATE TABLE %I PARTITION OF %I DEFAULT', t || '_default', t);
        FOR i IN 0..2 LOOP
            m := b + make_interval(months => i);
            part := t || '_p' || to_char(m, 'YYYY_MM');
            EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, t, m, m + interval '1 month');
        END LOOP;
    END LOOP;
    FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'processed_messages'::regclass AND c.relname <> 'processed_messages_before' LOOP
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (message_key)', part || '_key', part);
    END LOOP;
END
$$;
-- +goose StatementEnd

ALTER SEQUENCE bounce_events_id_seq OWNED BY bounce_events.id;
ALTER INDEX bounce_events_recipient_idx RENAME TO bounce_events_before_recipient_idx;
ALTER INDEX bounce_events_received_at_idx RENAME TO bounce_events_before_received_at_idx;
ALTER INDEX bounce_events_original_message_id_idx RENAME TO bounce_events_before_original_message_id_idx;
ALTER INDEX processed_messages_received_at_idx RENAME TO processed_messages_before_received_at_idx;
ALTER INDEX processed_messages_pkey RENAME TO processed_messages_before_key;
CREATE INDEX bounce_events_recipient_idx ON bounce_events (recipient, received_at);
CREATE INDEX bounce_events_received_at_idx ON bounce_events USING brin (received_at);
CREATE INDEX bounce_events_original_message_id_idx ON bounce_events (original_message_id) WHERE original_message_id <> '';
CREATE INDEX processed_messages_received_at_idx ON processed_messages USING brin (received_at);

-- +goose Down
-- Back to plain tables: the partitions' rows are copied into one table.
CREATE TABLE bounce_events_flat (LIKE bounce_events INCLUDING DEFAULTS);
INSERT INTO bounce_events_flat (id, received_at, mailbox, message_key, message_id, recipient, domain, class, reason, status, reply_code,
    diagnostic, remote_mta, reporting_mta, feedback_type, verified, original_message_id, stream, action)
SELECT id, received_at, mailbox, message_key, message_id, recipient, domain, class, reason, status, reply_code,
    diagnostic, remote_mta, reporting_mta, feedback_type, verified, original_message_id, stream, action FROM bounce_events;
ALTER SEQUENCE bounce_events_id_seq OWNED BY bounce_events_flat.id;
DROP TABLE bounce_events;
ALTER TABLE bounce_events_flat RENAME TO bounce_events;
CREATE INDEX bounce_events_recipient_idx ON bounce_events (recipient, received_at);
CREATE INDEX bounce_events_received_at_idx ON bounce_events USING brin (received_at);
CREATE INDEX bounce_events_original_message_id_idx ON bounce_events (original_message_id) WHERE original_message_id <> '';
CREATE TABLE processed_messages_flat (LIKE processed_messages INCLUDING DEFAULTS);
INSERT INTO processed_messages_flat (message_key, mailbox, received_at, processed_at, type, message_id, subject, from_addr, records, outcome, error)
SELECT message_key, mailbox, received_at, processed_at, type, message_id, subject, from_addr, records, outcome, error FROM processed_messages;
DROP TABLE processed_messages;
ALTER TABLE processed_messages_flat RENAME TO processed_messages;
ALTER TABLE processed_messages ADD PRIMARY KEY (message_key);
CREATE INDEX processed_messages_received_at_idx ON processed_messages USING brin (received_at);
DROP TABLE retention_horizon;
