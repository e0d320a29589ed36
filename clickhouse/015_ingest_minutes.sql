-- Deliveries per site and minute of arrival at the collector (every copy: this is the pipeline's
-- health, not the shop's), and the newest arrival: the dashboard's ingest panels and site picker read
-- this instead of scanning `received_at` of every stored delivery.
CREATE TABLE IF NOT EXISTS ingest_minutes${LOCAL}
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    events SimpleAggregateFunction(sum, UInt64),
    newest_received_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_minutes_mv TO ingest_minutes${LOCAL} AS
SELECT site, toStartOfMinute(received_at) AS minute, count() AS events, max(received_at) AS newest_received_at
FROM events${LOCAL}
GROUP BY site, minute;
