-- Ingest per minute of arrival at the collector: events stored and messages ClickHouse could not
-- parse (ingest_errors), across all sites — health of the pipeline, not of a shop.
SELECT
    t,
    sum(events) AS events,
    sum(errors) AS errors
FROM
(
    SELECT toUnixTimestamp(toStartOfMinute(received_at)) AS t, count() AS events, 0 AS errors
    FROM events
    WHERE received_at >= {from:DateTime('UTC')} AND received_at < {to:DateTime('UTC')}
    GROUP BY t
    UNION ALL
    SELECT toUnixTimestamp(toStartOfMinute(seen_at)) AS t, 0 AS events, count() AS errors
    FROM ingest_errors
    WHERE seen_at >= {from:DateTime('UTC')} AND seen_at < {to:DateTime('UTC')}
    GROUP BY t
)
GROUP BY t
ORDER BY t
