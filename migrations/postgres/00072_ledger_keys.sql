-- +goose Up
-- The ledger's keys in one table (issue #16): Record asks, for every
-- message of a batch, whether its key was processed before. With the
-- ledger partitioned by month (00066) that question probed the unique
-- index of every partition (a batch of 5,000 keys: 62 ms over four months
-- of a 2-million-row ledger, growing with the months kept); here it is one
-- probe of one primary key whatever the history. Record writes a message's
-- key in the transaction that writes its ledger row; Prune deletes the
-- keys older than retention.ledger (by received_at, the ledger's time).
-- The key is the only uniqueness the ledger needs, so the partitions'
-- unique indexes on message_key go: a message costs the same index
-- entries as before, in one index instead of one per month.
-- Keep in step with ../sqlite/ (where the ledger is one table: no change).
CREATE TABLE processed_keys (
    message_key text COLLATE "C" NOT NULL,
    received_at timestamptz NOT NULL
);
-- One sorted read of the ledger; the primary key is built after the load
-- (faster than inserting into it). A key in two partitions (possible only
-- for a writer that bypassed Record's lock) is kept once, its earliest.
INSERT INTO processed_keys (message_key, received_at)
SELECT DISTINCT ON (message_key) message_key, received_at FROM processed_messages ORDER BY message_key, received_at;
ALTER TABLE processed_keys ADD CONSTRAINT processed_keys_pkey PRIMARY KEY (message_key);
-- Prune's range: keys are written in about the order of their time, so a
-- BRIN index finds the old ones for next to nothing per insert.
CREATE INDEX processed_keys_received_at_idx ON processed_keys USING brin (received_at) WITH (autosummarize = on);

-- +goose StatementBegin
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.conrelid::regclass AS tbl, c.conname FROM pg_constraint c JOIN pg_inherits i ON i.inhrelid = c.conrelid
             WHERE i.inhparent = 'processed_messages'::regclass AND c.contype IN ('p', 'u') LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.tbl, r.conname);
    END LOOP;
    FOR r IN SELECT x.indexrelid::regclass AS idx FROM pg_index x JOIN pg_inherits i ON i.inhrelid = x.indrelid
             WHERE i.inhparent = 'processed_messages'::regclass AND x.indisunique LOOP
        EXECUTE format('DROP INDEX %s', r.idx);
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE
    part text;
BEGIN
    FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = 'processed_messages'::regclass LOOP
        EXECUTE format('CREATE UNIQUE INDEX %I ON %I (message_key)', part || '_key', part);
    END LOOP;
END
$$;
-- +goose StatementEnd
DROP TABLE processed_keys;
