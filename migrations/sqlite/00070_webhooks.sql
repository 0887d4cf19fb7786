-- +goose Up
-- Webhooks (issue #17): a transactional outbox. The change of a suppression
-- and its event commit together (suppression writes both in one
-- transaction), and the dispatcher of `bouncer run` delivers each event to
-- every endpoint subscribed to its type, at least once, in order per
-- endpoint and subject. Rows are written only for types some endpoint
-- subscribes to. Keep in step with ../postgres/.
--
-- One row per event and endpoint, carrying the event (its webhook-id and
-- the exact body every attempt sends): one table, so a batch announces its
-- changes with one COPY and one index per row fewer than an events table
-- beside a deliveries table (an endpoint or two is the usual count). A
-- delivery the endpoint accepted is deleted, so the table holds the queue
-- and the dead: claims walk the primary key, and the partial index serves
-- the one-at-a-time-per-subject rule.
CREATE TABLE webhook_deliveries (
    id           integer PRIMARY KEY AUTOINCREMENT, -- the order events are delivered in
    event_id     text NOT NULL,                -- "msg_…", the webhook-id header
    type         text NOT NULL,                -- suppression.added, alert.poll_failures, …
    endpoint     text NOT NULL,                -- webhooks[].name
    subject      text NOT NULL DEFAULT '', -- the address (or "alert:KIND"): one at a time per endpoint
    body         text NOT NULL,                -- {"type", "timestamp", "data"}
    state        text NOT NULL DEFAULT 'pending', -- pending | dead (a sent delivery is deleted)
    attempts     integer NOT NULL DEFAULT 0,
    queued_at    timestamp NOT NULL,           -- max_age counts from here (redeliver resets it)
    next_at      timestamp NOT NULL,           -- not tried before
    locked_until timestamp,                    -- a dispatcher is sending it until then
    last_at      timestamp,                    -- the last attempt
    last_status  integer NOT NULL DEFAULT 0,   -- its HTTP status, 0 when none
    last_error   text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_subject_idx ON webhook_deliveries (endpoint, subject, id) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_dead_idx ON webhook_deliveries (id) WHERE state = 'dead';

-- Marks the outbox keeps: "expired" is the time up to which expiries were
-- announced (suppression.expired).
CREATE TABLE webhook_marks (
    name text PRIMARY KEY,
    at   timestamp NOT NULL
);

-- +goose Down
DROP TABLE webhook_marks;
DROP TABLE webhook_deliveries;
