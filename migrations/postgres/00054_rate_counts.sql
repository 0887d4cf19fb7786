-- +goose Up
-- The events rates count (issue #16) per UTC hour, stream and class (hard,
-- soft, block, complaint), kept by Record in the transaction that writes
-- the events, so a rates query reads a row per stream, hour and class
-- instead of grouping the window's events (770,000 for 30 days at 10
-- million a year), and pruning old events leaves the rates of their days
-- as they were. Filled here from the events; this migration may run
-- before 00060 added bounce_events.stream (a database older than both), when
-- every event is of the stream 'default'. Keep in step with ../sqlite/.
CREATE TABLE rate_counts (
    hour   timestamptz NOT NULL,
    stream text NOT NULL,
    class  text NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (hour, stream, class) INCLUDE (n)
);

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format($q$INSERT INTO rate_counts (hour, stream, class, n)
SELECT date_trunc('hour', received_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', %s, class, count(*) FROM bounce_events
WHERE class IN ('hard', 'soft', 'block', 'complaint') GROUP BY 1, 2, 3$q$,
        CASE WHEN EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'bounce_events'::regclass AND attname = 'stream' AND NOT attisdropped)
        THEN 'stream' ELSE quote_literal('default') END);
END
$$;
-- +goose StatementEnd
ANALYZE rate_counts;

-- +goose Down
DROP TABLE rate_counts;
