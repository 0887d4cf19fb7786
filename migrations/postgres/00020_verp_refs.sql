-- +goose Up
-- Signed return-path references (internal/verp, the trust issue). A return
-- path whose recipient does not fit the 64-octet local part carries a short
-- signed reference instead; this table maps it back to the recipient for
-- reports that name none. Rows are written by `bouncer verp sign` (or by a
-- sending application) and never change. Keep in step with ../sqlite/.
CREATE TABLE verp_refs (
    ref        text PRIMARY KEY,   -- 16 lower-case base32 characters
    recipient  text NOT NULL,      -- canonical: trimmed, ASCII lower-cased
    created_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE verp_refs;
