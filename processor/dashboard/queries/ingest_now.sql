-- Right now: events per second over the last complete minute before {to}, ingest errors in the 60 s
-- before {to}, and how far ClickHouse is behind the collector (newest stored received_at), from
-- clickhouse/ ingest_minutes.
SELECT
    (SELECT sum(events) FROM ingest_minutes
     WHERE minute = toStartOfMinute({to:DateTime('UTC')}) - INTERVAL 1 MINUTE) / 60 AS events_per_second,
    (SELECT count() FROM ingest_errors
     WHERE seen_at >= {to:DateTime('UTC')} - INTERVAL 1 MINUTE AND seen_at < {to:DateTime('UTC')})
        AS ingest_errors_per_minute,
    (SELECT toUnixTimestamp64Milli(max(newest_received_at)) FROM ingest_minutes) AS newest_received_ms
