-- +goose Up
-- Postgres partitions sent_counts by month here (../postgres/00067) so that
-- retention drops whole months. SQLite has no partitions: its Prune deletes
-- old sent counts in short batches by rowid (suppression/prunerows.go), the
-- table stays as it is. The version is kept in step.
SELECT 1;

-- +goose Down
SELECT 1;
