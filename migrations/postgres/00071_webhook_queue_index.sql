-- +goose Up
-- Webhooks (issue #17): the dispatcher claims an endpoint's deliveries by
-- walking its pending rows in id order from the head of the queue (the
-- first of each subject seen, if due and not leased, is taken), so it needs
-- the pending rows of one endpoint in id order: this index, which leaves
-- out the dead and (being partial) costs nothing to walk past them. The
-- walk replaces the probe of webhook_deliveries_subject_idx per candidate
-- (an older pending delivery of the same subject?), whose plan depended on
-- the table's statistics: without them Postgres joined every pending row
-- with every other, and 20,000 queued events took minutes a claim. One
-- index written per event either way, and a smaller one.
CREATE INDEX webhook_deliveries_queue_idx ON webhook_deliveries (endpoint, id) WHERE state = 'pending';
DROP INDEX webhook_deliveries_subject_idx;

-- +goose Down
CREATE INDEX webhook_deliveries_subject_idx ON webhook_deliveries (endpoint, subject, id) WHERE state = 'pending';
DROP INDEX webhook_deliveries_queue_idx;
