-- +goose Up
-- Postgres gets bouncer_normalize(address), the SQL form of
-- suppression.Normalize, here (../postgres/00045). SQLite has no stored
-- functions: an application reading a SQLite database normalises in its
-- own code (docs/suppression.md). The version is kept in step.
SELECT 1;

-- +goose Down
SELECT 1;
