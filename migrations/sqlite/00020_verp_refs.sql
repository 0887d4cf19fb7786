-- +goose Up
-- SQLite dialect: see the header of 00001_core.sql. Keep in step with
-- ../postgres/00020_verp_refs.sql, which explains the table.
CREATE TABLE verp_refs (
    ref        text PRIMARY KEY,   -- 16 lower-case base32 characters
    recipient  text NOT NULL,      -- canonical: trimmed, ASCII lower-cased
    created_at timestamp NOT NULL
);

-- +goose Down
DROP TABLE verp_refs;
