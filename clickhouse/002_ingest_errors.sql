-- What could not be read as an event, from any topic (the events topic: 003_parse.sql; products and
-- users: 016_kafka.sql), kept whole with its Kafka position so it can be fixed and replayed. The
-- consumers go on past it (kafka_handle_error_mode = 'stream').
CREATE TABLE IF NOT EXISTS ingest_errors${LOCAL}
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
