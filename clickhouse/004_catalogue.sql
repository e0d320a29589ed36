-- Reference data, loaded by publishing rows to the products and users topics (clickhouse/
-- load_catalogue.ts; their Kafka tables are in 016_kafka.sql): the processor's SQL session is
-- read-only, so reference data arrives the way events do. Publishing a row again replaces it: the
-- newest `updated_at` wins. Read with FINAL (or argMax on updated_at): until a merge, a replaced
-- row has two versions.

-- The product catalogue; price is the list price in EUR.
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
