-- +goose Up
-- Every manual change (add, remove, allow, unallow, import, recompute), by
-- whom, through which door (api, cli, ui), when and why (issue #15). Written
-- by suppression in the transaction of the change itself. Keep in step with
-- ../sqlite/.
CREATE TABLE audit_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text NOT NULL,                -- who: "cli:alice", "api", "ui:admin"
    via     text NOT NULL,                -- api | cli | ui
    action  text NOT NULL,                -- add | remove | allow | unallow | import | recompute
    subject text COLLATE "C" NOT NULL DEFAULT '', -- the address or allowlist entry; '' for bulk changes
    detail  text NOT NULL DEFAULT '',     -- what changed, in words
    note    text NOT NULL DEFAULT ''      -- why, as the person wrote it
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, id);

-- +goose Down
DROP TABLE audit_log;
