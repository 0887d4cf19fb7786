-- +goose Up
-- Webhooks (issue #17): the outbox as a stream of changes. Each transaction
-- that announces something writes one row (Record: one per batch, however
-- many events it announces), and each endpoint reads the stream in order
-- from its cursor. webhook_deliveries keeps only what an endpoint has to
-- track apart: deliveries that failed and wait for a retry, those queued
-- behind them (about the same address), and the dead. Keep in step with
-- ../postgres/.
CREATE TABLE webhook_outbox (
    id        integer PRIMARY KEY AUTOINCREMENT,
    queued_at timestamp NOT NULL, -- when the change was made: max_age counts from here
    endpoints text NOT NULL,      -- "NAME:N …": the endpoints it announces to, and how many events each
    kind      text NOT NULL,      -- record: references into a Record batch; events: the events themselves
    data      text NOT NULL       -- JSON (suppression/webhookstream.go)
);

-- Where each endpoint is in the stream: every event of the rows before
-- outbox_id, and the first item events of row outbox_id, were sent or taken
-- into webhook_deliveries. One dispatcher at a time reads past it, holding
-- the lease (a token, until leased_until).
CREATE TABLE webhook_cursors (
    endpoint     text PRIMARY KEY,
    outbox_id    integer NOT NULL DEFAULT 0,
    item         integer NOT NULL DEFAULT 0,
    lease        text NOT NULL DEFAULT '',
    leased_until timestamp
);

-- Events read from the stream wait behind a pending delivery of the same
-- endpoint and address: the look-up of those, among the (few) pending.
CREATE INDEX webhook_deliveries_subject_idx ON webhook_deliveries (endpoint, subject) WHERE state = 'pending';

-- +goose Down
DROP INDEX webhook_deliveries_subject_idx;
DROP TABLE webhook_cursors;
DROP TABLE webhook_outbox;
