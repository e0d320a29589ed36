-- Shoppers with an account, as the shop knows them, loaded like `products` through the users
-- topic. The newest `updated_at` wins; read with FINAL.
CREATE TABLE IF NOT EXISTS kafka_users
(
    user_id String,
    anonymous_id String,    -- the browser id the account was first seen with
    country String,
    language String,
    currency String,
    device_type String,
    browser String,
    os String,
    updated_at UInt64
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${USERS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP}-users',
    kafka_format = 'JSONEachRow',
    kafka_handle_error_mode = 'stream',
    kafka_flush_interval_ms = 500,
    kafka_poll_timeout_ms = 100;

CREATE TABLE IF NOT EXISTS users
(
    user_id String,
    anonymous_id String,
    country LowCardinality(String),
    language LowCardinality(String),
    currency LowCardinality(String),
    device_type LowCardinality(String),
    browser LowCardinality(String),
    os LowCardinality(String),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY user_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS users_mv TO users AS
SELECT user_id, anonymous_id, country, language, currency, device_type, browser, os,
    fromUnixTimestamp64Milli(toInt64(updated_at), 'UTC') AS updated_at
FROM kafka_users
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS users_errors_mv TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, _topic AS topic, _partition AS partition, _offset AS offset,
    _raw_message AS raw_message, _error AS error
FROM kafka_users
WHERE length(_error) > 0;
