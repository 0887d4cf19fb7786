-- +goose Up
-- SQLite dialect: see the header of 00001_core.sql. Keep in step with
-- ../postgres/00054_rate_counts.sql.
-- The events rates count (issue #16) per UTC hour ("YYYY-MM-DD
-- HH:00:00.000"), stream and class, kept by Record with the events; see
-- ../postgres/ for why.
CREATE TABLE rate_counts (
    hour   timestamp NOT NULL,
    stream text NOT NULL,
    class  text NOT NULL,
    n      integer NOT NULL,
    PRIMARY KEY (hour, stream, class)
);

-- This migration may run before 00060 added bounce_events.stream (a
-- database older than both), when every event is of the stream 'default':
-- the subquery's unqualified stream is the event's own (looked up by id)
-- when bounce_events has the column, else the outer query's 'default'.
INSERT INTO rate_counts (hour, stream, class, n)
SELECT substr(e.received_at, 1, 13) || ':00:00.000',
       (SELECT stream FROM bounce_events x WHERE x.id = e.id), e.class, count(*)
FROM (SELECT 'default' AS stream) d, bounce_events e
WHERE e.class IN ('hard', 'soft', 'block', 'complaint') GROUP BY 1, 2, 3;
ANALYZE rate_counts;

-- +goose Down
DROP TABLE rate_counts;
