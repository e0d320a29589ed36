-- Ingest per minute (per hour for ranges over a day) of arrival at the collector: events stored
-- (clickhouse/ ingest_minutes, every delivery) and messages ClickHouse could not parse (ingest_errors),
-- across all sites — health of the pipeline, not of a shop.
WITH if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, 3600, 60) AS step
SELECT
    t,
    sum(events) AS events,
    sum(errors) AS errors
FROM
(
    SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond(step))) AS t, sum(events) AS events, 0 AS errors
    FROM ingest_minutes
    WHERE minute >= toStartOfMinute({from:DateTime('UTC')}) AND minute < {to:DateTime('UTC')}
    GROUP BY t
    UNION ALL
    SELECT toUnixTimestamp(toStartOfInterval(seen_at, toIntervalSecond(step))) AS t, 0 AS events, count() AS errors
    FROM ingest_errors
    WHERE seen_at >= {from:DateTime('UTC')} AND seen_at < {to:DateTime('UTC')}
    GROUP BY t
)
GROUP BY t
ORDER BY t
