-- Messages on the events topic that ClickHouse could not parse, per minute over the window.
-- Always one row, so a quiet pipeline reads 0 and a firing alert resolves.
SELECT
    'pipeline' AS subject,
    count() AS volume,
    count() / ({window_s:UInt32} / 60) AS value
FROM ingest_errors
WHERE seen_at >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND seen_at < {to:DateTime('UTC')}
