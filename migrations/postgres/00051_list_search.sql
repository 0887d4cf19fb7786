-- +goose Up
-- The suppression list as the dashboard and the API page through it (issue
-- #15): keyset pages sorted by address (the primary key), by domain or by
-- the last failure, and search by address or domain. Keep in step with
-- ../sqlite/.

-- Pages sorted by domain, then address; it also serves "domain = ?" and
-- domain prefixes, so it replaces the index on domain alone.
CREATE INDEX suppressions_domain_email_idx ON suppressions (domain, email);
DROP INDEX suppressions_domain_idx;
-- Pages sorted by the last failure (newest first), and the date range filter.
CREATE INDEX suppressions_last_seen_idx ON suppressions (last_seen, email);

-- Substring search ("contains") through trigrams when pg_trgm is available
-- (Debian's postgresql package ships it; it is a trusted extension, so a
-- database owner may create it). Without it the search scans, and nothing
-- else changes.
-- +goose StatementBegin
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXECUTE 'CREATE INDEX suppressions_email_trgm_idx ON suppressions USING gin (email gin_trgm_ops)';
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%): substring search will scan the list', SQLERRM;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS suppressions_email_trgm_idx;
DROP INDEX suppressions_last_seen_idx;
CREATE INDEX suppressions_domain_idx ON suppressions (domain);
DROP INDEX suppressions_domain_email_idx;
