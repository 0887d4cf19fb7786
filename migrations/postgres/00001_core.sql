-- +goose Up
-- Addresses, domains and keys compare byte by byte (COLLATE "C"), whatever the
-- database's collation: faster indexes, and the same order as Go and SQLite.
-- The ledger: one row per mailbox message that took effect (or was
-- quarantined), keyed by the SHA-256 of its bytes, so each message counts once.
CREATE TABLE processed_messages (
    message_key  text COLLATE "C" PRIMARY KEY,
    mailbox      text NOT NULL,
    received_at  timestamptz NOT NULL,
    processed_at timestamptz NOT NULL,
    type         text NOT NULL,              -- dsn.Type, or 'unparsed'
    message_id   text NOT NULL DEFAULT '',
    subject      text NOT NULL DEFAULT '',
    from_addr    text NOT NULL DEFAULT '',
    records      integer NOT NULL DEFAULT 0, -- bounce_events rows written
    outcome      text NOT NULL DEFAULT 'recorded', -- recorded | quarantined | not_report | no_recipient
    error        text NOT NULL DEFAULT ''    -- why it was quarantined, or which records had no usable recipient
);
-- BRIN: rows arrive roughly in received order, and a BRIN index costs next
-- to nothing to keep up at ingest while serving the report's day ranges.
CREATE INDEX processed_messages_received_at_idx ON processed_messages USING brin (received_at);

-- Append-only evidence: one row per recipient record.
CREATE TABLE bounce_events (
    id                  bigserial PRIMARY KEY,
    received_at         timestamptz NOT NULL,
    mailbox             text NOT NULL,
    -- the ledger row is written in the same transaction (no foreign key:
    -- its per-row check would halve the ingest rate)
    message_key         text COLLATE "C" NOT NULL,
    message_id          text NOT NULL DEFAULT '',
    recipient           text COLLATE "C" NOT NULL,
    domain              text COLLATE "C" NOT NULL,
    class               text NOT NULL,
    reason              text NOT NULL,
    status              text NOT NULL DEFAULT '',
    reply_code          text NOT NULL DEFAULT '',
    diagnostic          text NOT NULL DEFAULT '',
    remote_mta          text NOT NULL DEFAULT '',
    reporting_mta       text NOT NULL DEFAULT '',
    feedback_type       text NOT NULL DEFAULT '',
    verified            boolean NOT NULL DEFAULT false,
    original_message_id text NOT NULL DEFAULT ''
);
CREATE INDEX bounce_events_recipient_idx ON bounce_events (recipient, received_at);
CREATE INDEX bounce_events_received_at_idx ON bounce_events USING brin (received_at); -- see above

-- One row per address that ever failed or was added by hand.
CREATE TABLE suppressions (
    email             text COLLATE "C" PRIMARY KEY,
    domain            text COLLATE "C" NOT NULL,
    hard_count        integer NOT NULL DEFAULT 0,
    soft_count        integer NOT NULL DEFAULT 0,
    block_count       integer NOT NULL DEFAULT 0,
    complaint_count   integer NOT NULL DEFAULT 0,
    first_seen        timestamptz NOT NULL,
    last_seen         timestamptz NOT NULL,
    last_class        text NOT NULL DEFAULT '',
    last_reason       text NOT NULL DEFAULT '',
    last_status       text NOT NULL DEFAULT '',
    last_diagnostic   text NOT NULL DEFAULT '',
    suppressed        boolean NOT NULL DEFAULT false,
    suppressed_at     timestamptz,
    suppressed_reason text NOT NULL DEFAULT '',
    expires_at        timestamptz,
    source            text NOT NULL DEFAULT 'bounce',  -- bounce | complaint | manual | import
    note              text NOT NULL DEFAULT '',
    -- set by "remove": events received up to this time no longer count
    cleared_at        timestamptz
);
CREATE INDEX suppressions_domain_idx ON suppressions (domain);
CREATE INDEX suppressions_suppressed_at_idx ON suppressions (suppressed_at) WHERE suppressed;

-- Addresses ("a@example.com") and whole domains ("example.com") never suppressed.
CREATE TABLE allowlist (
    entry      text COLLATE "C" PRIMARY KEY,
    created_at timestamptz NOT NULL,
    note       text NOT NULL DEFAULT ''
);

-- What sending applications query before each send: suppressed, not
-- expired, and not on the allowlist (by address or by domain).
CREATE VIEW active_suppressions AS
SELECT s.email, s.domain, s.suppressed_at, s.suppressed_reason, s.source, s.expires_at,
       s.last_class, s.last_reason, s.hard_count, s.soft_count, s.complaint_count
FROM suppressions s
WHERE s.suppressed
  AND NOT EXISTS (SELECT 1 FROM allowlist a WHERE a.entry IN (s.email, s.domain))
  AND (s.expires_at IS NULL OR s.expires_at > now());

-- +goose Down
DROP VIEW active_suppressions;
DROP TABLE allowlist;
DROP TABLE suppressions;
DROP TABLE bounce_events;
DROP TABLE processed_messages;
