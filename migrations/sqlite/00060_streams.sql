-- +goose Up
-- Streams (issue #16): each event is attributed to the kind of mail it
-- came back from (the stream label of its signed return path, else a
-- header of the returned message, else 'default'). Rates are per stream;
-- the suppression policy stays per address. The message index serves the
-- fate of one message (GET /v1/messages/{id}) in one probe. Keep in step
-- with the other dialect.
ALTER TABLE bounce_events ADD COLUMN stream text NOT NULL DEFAULT 'default';
CREATE INDEX bounce_events_original_message_id_idx ON bounce_events (original_message_id) WHERE original_message_id <> '';

-- +goose Down
DROP INDEX bounce_events_original_message_id_idx;
ALTER TABLE bounce_events DROP COLUMN stream;
