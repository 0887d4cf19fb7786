-- +goose Up
-- SQLite dialect: see the header of 00001_core.sql. Keep in step with
-- ../postgres/00061_sent_counts.sql.
-- Volume (issue #16): how many messages each stream sent, per hour, so
-- bounce and complaint rates can be computed per stream and day in any
-- whole-hour time zone. One row per stream and hour (UTC text
-- "YYYY-MM-DD HH:00:00.000"); writers add to it (POST /v1/sent, bouncer
-- sent add, or an app's own INSERT … ON CONFLICT … DO UPDATE, see
-- docs/rates.md).
CREATE TABLE sent_counts (
    stream text NOT NULL CHECK (stream <> ''),
    hour   timestamp NOT NULL,
    count  integer NOT NULL CHECK (count >= 0),
    PRIMARY KEY (stream, hour),
    CONSTRAINT sent_counts_hour_whole CHECK (hour = strftime('%Y-%m-%d %H:00:00.000', hour))
); -- with a rowid: retention prunes by rowid ranges
CREATE INDEX sent_counts_hour_idx ON sent_counts (hour);

-- Idempotency: one row per count a client sent with an id, so a retried
-- POST /v1/sent adds nothing. What it added is kept to answer the retry.
CREATE TABLE sent_count_ids (
    id          text PRIMARY KEY,
    stream      text NOT NULL,
    hour        timestamp NOT NULL,
    count       integer NOT NULL,
    received_at timestamp NOT NULL
);
CREATE INDEX sent_count_ids_received_at_idx ON sent_count_ids (received_at);

-- +goose Down
DROP TABLE sent_count_ids;
DROP TABLE sent_counts;
