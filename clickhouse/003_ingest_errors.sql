-- Messages the Kafka engine could not parse, kept whole so they can be fixed and replayed.
CREATE TABLE IF NOT EXISTS ingest_errors
(
    seen_at DateTime64(3, 'UTC'),
    topic LowCardinality(String),
    partition UInt32,
    offset UInt64,
    raw_message String,
    error String
)
ENGINE = MergeTree
ORDER BY (seen_at, topic, partition, offset);

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_errors_mv TO ingest_errors AS
SELECT
    now64(3, 'UTC') AS seen_at,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    _raw_message AS raw_message,
    _error AS error
FROM kafka_events
WHERE length(_error) > 0;
