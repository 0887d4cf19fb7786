-- +goose Up
-- Postgres keeps the ledger's keys in a table of their own here
-- (../postgres/00072), because its ledger is partitioned by month. SQLite's
-- ledger is one table whose primary key is the message key: no change. The
-- version is kept in step.
SELECT 1;

-- +goose Down
SELECT 1;
