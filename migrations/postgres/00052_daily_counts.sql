-- +goose Up
-- The overview's figures per UTC day (issue #15), kept by Record in the
-- transaction that writes the events, so the overview reads a few hundred
-- rows instead of grouping the range's events, and pruning old events
-- leaves the figures as they were. One row per day, dimension and key:
--   class       every recipient event, by class
--   reason      failure events (hard, soft, block) by reason
--   domain      failure events by recipient domain
--   remote_mta  failure events by receiving MTA
--   block       block events by diagnostic, filled by this migration only
--               (the dashboard names the block list in it)
--   blocklist   block events by the block list their diagnostic names
--               (dsn.BlocklistOf), as Record counts them
--   suppressed  suppressions that started that day, by source
-- Keys are cut to 500 characters (an index entry holds at most 2,704
-- bytes); empty keys are left out but for class and block.
-- Keep in step with ../sqlite/.
CREATE TABLE daily_counts (
    day date NOT NULL,
    dim text NOT NULL,
    key text COLLATE "C" NOT NULL,
    n   bigint NOT NULL,
    PRIMARY KEY (dim, key, day)
);
-- The largest keys of each day, for the rankings.
CREATE INDEX daily_counts_rank_idx ON daily_counts (dim, day, n DESC, key);

INSERT INTO daily_counts (day, dim, key, n)
SELECT (received_at AT TIME ZONE 'UTC')::date, 'class', left(class, 500), count(*) FROM bounce_events GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT (received_at AT TIME ZONE 'UTC')::date, 'reason', left(reason, 500), count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block') AND reason <> '' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT (received_at AT TIME ZONE 'UTC')::date, 'domain', left(domain, 500), count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block') AND domain <> '' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT (received_at AT TIME ZONE 'UTC')::date, 'remote_mta', left(remote_mta, 500), count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block') AND remote_mta <> '' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT (received_at AT TIME ZONE 'UTC')::date, 'block', left(diagnostic, 500), count(*) FROM bounce_events
WHERE class = 'block' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT (suppressed_at AT TIME ZONE 'UTC')::date, 'suppressed', left(source, 500), count(*) FROM suppressions
WHERE suppressed AND suppressed_at IS NOT NULL GROUP BY 1, 3;

-- +goose Down
DROP TABLE daily_counts;
