-- +goose Up
-- SQLite dialect: see the header of 00001_core.sql. Keep in step with ../postgres/00010_report_runs.sql.
-- The daily report, once per day across replicas and restarts (package
-- notify): one row per report day, claimed under the report advisory lock.
CREATE TABLE report_runs (
    report_date text PRIMARY KEY,               -- the day covered, "YYYY-MM-DD" in report.timezone
    status      text NOT NULL,                  -- sending | sent | failed
    attempts    integer NOT NULL DEFAULT 0,
    started_at  timestamp NOT NULL,             -- when the last attempt started
    sent_at     timestamp,
    late        integer NOT NULL DEFAULT 0,     -- sent after its scheduled time
    message_id  text NOT NULL DEFAULT '',
    error       text NOT NULL DEFAULT ''        -- why the last attempt failed
);

-- Rate limiting of alerts: when each alert (kind:subject) was last sent.
CREATE TABLE alerts (
    alert_key        text PRIMARY KEY,
    last_sent_at     timestamp NOT NULL,
    previous_sent_at timestamp,                 -- restored when a send fails
    sent_count       integer NOT NULL DEFAULT 0
);

-- The newest message of each mailbox, for mailbox health and the
-- "mailbox went silent" alert.
CREATE INDEX processed_messages_mailbox_received_at_idx ON processed_messages (mailbox, received_at);

-- +goose Down
DROP INDEX processed_messages_mailbox_received_at_idx;
DROP TABLE alerts;
DROP TABLE report_runs;
