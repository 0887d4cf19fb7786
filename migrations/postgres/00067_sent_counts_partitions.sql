-- +goose Up
-- Retention of sent counts (issue #16): sent_counts becomes range-
-- partitioned by month of hour (UTC), as bounce_events and
-- processed_messages did in 00066, whose comment explains the method: the
-- existing table is not copied but renamed to sent_counts_before and
-- attached as the partition of everything before the first month boundary
-- after its newest hour (FROM (MINVALUE)), beside a DEFAULT partition (rows
-- no monthly partition takes: hours far ahead, or older than the oldest
-- month once sent_counts_before is dropped) and the next three months.
-- Prune (suppression/partitions.go) creates the months ahead from then on,
-- drops a month once all of it is older than retention.sent, and deletes
-- sent_counts_before's old rows in batches until it can drop it too. The
-- cost under the migration's lock is one sequential read of the table (the
-- CHECK that proves its rows fit the range); the table holds one row per
-- stream and hour, a few hundred thousand rows for 100 streams over a year.
--
-- Unlike the ledger's, this table's primary key (stream, hour) holds the
-- partition key, so it stays the primary key of the partitioned table: one
-- row per stream and hour across all partitions, and an application's
-- INSERT … ON CONFLICT (stream, hour) DO UPDATE (docs/rates.md) works as
-- before. The old primary key and hour index are attached to the new
-- table's as they are (renamed), none is rebuilt. The CHECKs are declared
-- on the partitioned table, so every partition refuses a count below 0 and
-- an hour that is not whole; the old table's constraints have the same
-- names and definitions, which ATTACH requires.
-- +goose StatementBegin
DO $$
DECLARE
    b timestamptz;
    m timestamptz;
BEGIN
    SET LOCAL TimeZone = 'UTC'; -- month boundaries are UTC midnights
    SELECT greatest(date_trunc('month', now()), date_trunc('month', max(hour))) + interval '1 month' INTO b FROM sent_counts;
    EXECUTE format('ALTER TABLE sent_counts ADD CONSTRAINT sent_counts_before_check CHECK (hour < %L)', b);
    ALTER TABLE sent_counts RENAME TO sent_counts_before;
    ALTER INDEX sent_counts_pkey RENAME TO sent_counts_before_pkey;
    ALTER INDEX sent_counts_hour_idx RENAME TO sent_counts_before_hour_idx;
    -- The constraints are named: a name Postgres chose would avoid the
    -- old table's (sent_counts_stream_check1), and ATTACH matches by name.
    CREATE TABLE sent_counts (
        stream text NOT NULL CONSTRAINT sent_counts_stream_check CHECK (stream <> ''),
        hour   timestamptz NOT NULL,
        count  bigint NOT NULL CONSTRAINT sent_counts_count_check CHECK (count >= 0),
        CONSTRAINT sent_counts_pkey PRIMARY KEY (stream, hour),
        CONSTRAINT sent_counts_hour_whole CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC')
    ) PARTITION BY RANGE (hour);
    CREATE INDEX sent_counts_hour_idx ON sent_counts (hour);
    EXECUTE format('ALTER TABLE sent_counts ATTACH PARTITION sent_counts_before FOR VALUES FROM (MINVALUE) TO (%L)', b);
    ALTER TABLE sent_counts_before DROP CONSTRAINT sent_counts_before_check;
    CREATE TABLE sent_counts_default PARTITION OF sent_counts DEFAULT;
    FOR i IN 0..2 LOOP
        m := b + make_interval(months => i);
        EXECUTE format('CREATE TABLE %I PARTITION OF sent_counts FOR VALUES FROM (%L) TO (%L)',
            'sent_counts_p' || to_char(m, 'YYYY_MM'), m, m + interval '1 month');
    END LOOP;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- Back to a plain table: the partitions' rows are copied into one table.
CREATE TABLE sent_counts_flat (
    stream text NOT NULL CONSTRAINT sent_counts_stream_check CHECK (stream <> ''),
    hour   timestamptz NOT NULL,
    count  bigint NOT NULL CONSTRAINT sent_counts_count_check CHECK (count >= 0),
    CONSTRAINT sent_counts_hour_whole CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC')
);
INSERT INTO sent_counts_flat (stream, hour, count) SELECT stream, hour, count FROM sent_counts;
DROP TABLE sent_counts;
ALTER TABLE sent_counts_flat RENAME TO sent_counts;
ALTER TABLE sent_counts ADD CONSTRAINT sent_counts_pkey PRIMARY KEY (stream, hour);
CREATE INDEX sent_counts_hour_idx ON sent_counts (hour);
