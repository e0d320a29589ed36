-- Right now: events per second and ingest errors per minute over the last full minute before
-- {to}, and how far ClickHouse is behind the collector (newest stored received_at).
SELECT
    (SELECT count() FROM events
     WHERE received_at >= {to:DateTime('UTC')} - INTERVAL 1 MINUTE AND received_at < {to:DateTime('UTC')}) / 60
        AS events_per_second,
    (SELECT count() FROM ingest_errors
     WHERE seen_at >= {to:DateTime('UTC')} - INTERVAL 1 MINUTE AND seen_at < {to:DateTime('UTC')})
        AS ingest_errors_per_minute,
    (SELECT toUnixTimestamp64Milli(max(received_at)) FROM events) AS newest_received_ms
