-- +goose Up
-- Volume (issue #16): how many messages each stream sent, per hour, so
-- bounce and complaint rates can be computed per stream and day in any
-- whole-hour time zone. One row per stream and hour (UTC, truncated to the
-- hour); writers add to it (POST /v1/sent, bouncer sent add, or an app's
-- own INSERT … ON CONFLICT … DO UPDATE, see docs/rates.md). The primary
-- key holds the hour so the table can be range-partitioned by it. Keep in
-- step with the other dialect.
CREATE TABLE sent_counts (
    stream text NOT NULL CHECK (stream <> ''),
    hour   timestamptz NOT NULL,
    count  bigint NOT NULL CHECK (count >= 0),
    PRIMARY KEY (stream, hour),
    CONSTRAINT sent_counts_hour_whole CHECK (date_trunc('hour', hour AT TIME ZONE 'UTC') = hour AT TIME ZONE 'UTC')
);
CREATE INDEX sent_counts_hour_idx ON sent_counts (hour);

-- Idempotency: one row per count a client sent with an id, so a retried
-- POST /v1/sent adds nothing. What it added is kept to answer the retry.
CREATE TABLE sent_count_ids (
    id          text PRIMARY KEY,
    stream      text NOT NULL,
    hour        timestamptz NOT NULL,
    count       bigint NOT NULL,
    received_at timestamptz NOT NULL
);
CREATE INDEX sent_count_ids_received_at_idx ON sent_count_ids (received_at);

-- +goose Down
DROP TABLE sent_count_ids;
DROP TABLE sent_counts;
