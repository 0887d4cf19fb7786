-- +goose Up
-- The overview's figures per UTC day (issue #15), kept by Record in the
-- transaction that writes the events: see ../postgres/ for the dimensions.
-- Days are "YYYY-MM-DD" (UTC). Keep in step with ../postgres/.
CREATE TABLE daily_counts (
    day text NOT NULL,
    dim text NOT NULL,
    key text NOT NULL,
    n   integer NOT NULL,
    PRIMARY KEY (dim, key, day)
);
CREATE INDEX daily_counts_rank_idx ON daily_counts (dim, day, n DESC, key);

INSERT INTO daily_counts (day, dim, key, n)
SELECT substr(received_at, 1, 10), 'class', substr(class, 1, 500), count(*) FROM bounce_events GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT substr(received_at, 1, 10), 'reason', substr(reason, 1, 500), count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block') AND reason <> '' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT substr(received_at, 1, 10), 'domain', substr(domain, 1, 500), count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block') AND domain <> '' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT substr(received_at, 1, 10), 'remote_mta', substr(remote_mta, 1, 500), count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block') AND remote_mta <> '' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT substr(received_at, 1, 10), 'block', substr(diagnostic, 1, 500), count(*) FROM bounce_events
WHERE class = 'block' GROUP BY 1, 3;
INSERT INTO daily_counts (day, dim, key, n)
SELECT substr(suppressed_at, 1, 10), 'suppressed', substr(source, 1, 500), count(*) FROM suppressions
WHERE suppressed AND suppressed_at IS NOT NULL GROUP BY 1, 3;

-- +goose Down
DROP TABLE daily_counts;
