-- The product catalogue, loaded by publishing rows to the products topic (clickhouse/
-- load_catalogue.ts): the processor's SQL session is read-only, so reference data arrives the way
-- events do. Publishing a product again replaces it: the newest `updated_at` wins.
CREATE TABLE IF NOT EXISTS kafka_products
(
    id String,
    name String,
    category String,
    price Decimal(18, 2),   -- list price in EUR
    updated_at UInt64       -- Unix ms when the loader published it
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${PRODUCTS_TOPIC}',
    -- Its own group: sharing the events group would rebalance event consumers on every load.
    kafka_group_name = '${KAFKA_GROUP}-products',
    kafka_format = 'JSONEachRow',
    kafka_handle_error_mode = 'stream',
    kafka_flush_interval_ms = 500,
    kafka_poll_timeout_ms = 100;

-- Read with FINAL (or argMax on updated_at): until a merge, a replaced product has two rows.
CREATE TABLE IF NOT EXISTS products
(
    id String,
    name String,
    category LowCardinality(String),
    price Decimal(18, 2),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id;

CREATE MATERIALIZED VIEW IF NOT EXISTS products_mv TO products AS
SELECT id, name, category, price, fromUnixTimestamp64Milli(toInt64(updated_at), 'UTC') AS updated_at
FROM kafka_products
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS products_errors_mv TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, _topic AS topic, _partition AS partition, _offset AS offset,
    _raw_message AS raw_message, _error AS error
FROM kafka_products
WHERE length(_error) > 0;
