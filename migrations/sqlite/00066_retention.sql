-- +goose Up
-- Retention (issue #16): events, the ledger and (later) sent counts are
-- kept for a configured time and pruned daily (suppression.Store.Prune;
-- on SQLite by deletes in short batches, the tables stay as they are).
-- Keep in step with the other dialect.

-- How far each table has been pruned: rows received before pruned_before
-- are gone. recompute reads it to say which dates it can see.
CREATE TABLE retention_horizon (
    table_name    text PRIMARY KEY,
    pruned_before timestamp NOT NULL,
    pruned_at     timestamp NOT NULL
);

-- +goose Down
DROP TABLE retention_horizon;
