-- +goose Up
-- The suppression list as the dashboard and the API page through it (issue
-- #15): keyset pages sorted by address (the primary key), by domain or by
-- the last failure, and search by address or domain prefix. Substring
-- search scans on SQLite (no trigram index). Keep in step with ../postgres/.
CREATE INDEX suppressions_domain_email_idx ON suppressions (domain, email);
DROP INDEX suppressions_domain_idx;
CREATE INDEX suppressions_last_seen_idx ON suppressions (last_seen, email);

-- +goose Down
DROP INDEX suppressions_last_seen_idx;
CREATE INDEX suppressions_domain_idx ON suppressions (domain);
DROP INDEX suppressions_domain_email_idx;
