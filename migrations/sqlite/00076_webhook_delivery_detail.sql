-- +goose Up
-- Webhooks: why the last attempt failed in a few words (last_cause:
-- "connection refused", "HTTP 400 Bad Request"), for the table of
-- `bouncer webhooks deliveries`; last_error keeps the full text.
ALTER TABLE webhook_deliveries ADD COLUMN last_cause text NOT NULL DEFAULT '';
-- A pass that fails events read from the stream looks up the ids of the
-- deliveries they became, to log them.
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (endpoint, event_id);

-- A dead delivery does not hold back the later events about its
-- address; each of those the endpoint accepts is counted on the dead
-- delivery (later_sent, with the type of the newest in later_type), so
-- that `bouncer webhooks redeliver` can tell that the event it would send
-- again is older than what the receiver already has. Keep in step with
-- ../postgres/.
ALTER TABLE webhook_deliveries ADD COLUMN later_sent integer NOT NULL DEFAULT 0;
ALTER TABLE webhook_deliveries ADD COLUMN later_type text NOT NULL DEFAULT '';
-- A claim looks up the dead deliveries about the addresses it sends to.
CREATE INDEX webhook_deliveries_dead_subject_idx ON webhook_deliveries (endpoint, subject) WHERE state = 'dead';

-- +goose Down
DROP INDEX webhook_deliveries_dead_subject_idx;
ALTER TABLE webhook_deliveries DROP COLUMN later_type;
ALTER TABLE webhook_deliveries DROP COLUMN later_sent;
DROP INDEX webhook_deliveries_event_idx;
ALTER TABLE webhook_deliveries DROP COLUMN last_cause;
