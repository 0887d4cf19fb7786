-- +goose Up
-- The fate of one message (issue #16): a delay notice ("Action: delayed")
-- is stored as an ignore-class event like an auto-reply or a "delivered"
-- notice; the action tells them apart, so GET /v1/messages/{id} can say
-- "delayed". Events recorded before this migration have '' (unknown).
-- Keep in step with the other dialect.
ALTER TABLE bounce_events ADD COLUMN action text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE bounce_events DROP COLUMN action;
