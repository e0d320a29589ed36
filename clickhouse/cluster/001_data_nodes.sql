-- Data nodes (every shard and replica of the cluster named by the `{cluster}` macro): the
-- stored tables, replicated through ClickHouse Keeper. Same columns as the single-node files
-- (tests/topology_cluster_sql_test.ts keeps them equal); only the engines differ.

-- One shard's share of the events: rows arrive from the ingestion nodes through the Distributed
-- `events` table, which routes by (site, session_id), so a session and every copy of an event sit
-- on one shard. Replicated: each shard has two or more replicas, any of which answers queries.
CREATE TABLE IF NOT EXISTS events_local ON CLUSTER '{cluster}'
(
    event_id String,
    type LowCardinality(String),
    site LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    client_ts DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    -- Who did it: the signed-in id when known, else the browser's anonymous id, else the session
    -- (consent withheld: the SDK sends no anonymous id).
    user_key String,
    anonymous_id String,
    session_id String,
    user_id String,
    url String,
    referrer String,
    title String,
    viewport LowCardinality(String),
    language LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign String,
    utm_term String,
    utm_content String,
    product_id String,
    product_name String,
    category LowCardinality(String),
    price Decimal(18, 2),
    quantity UInt32,
    currency LowCardinality(String),
    order_id String,
    revenue Decimal(18, 2),
    items Array(Tuple(product_id String, quantity UInt32, price Decimal(18, 2))),
    props String,
    -- From the collector's enrichment; '' or 0 when the collector did not send them.
    browser LowCardinality(String),
    os LowCardinality(String),
    device_type LowCardinality(String),
    is_bot UInt8,
    ip_hash String,
    country LowCardinality(String),
    -- Where the row came from in Kafka: lets a replay or a double delivery be traced.
    _partition UInt32,
    _offset UInt64
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/events_local', '{replica}')
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (site, type, event_time, event_id)
TTL toDateTime(event_time) + toIntervalDay(${EVENTS_TTL_DAYS})
-- As the single-node 027: wider merges, half the rewrites of each row.
SETTINGS merge_selector_base = 10;

CREATE TABLE IF NOT EXISTS ingest_errors_local ON CLUSTER '{cluster}'
(
    seen_at DateTime64(3, 'UTC'),
    topic LowCardinality(String),
    partition UInt32,
    offset UInt64,
    raw_message String,
    error String
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/ingest_errors_local', '{replica}')
ORDER BY (seen_at, topic, partition, offset);

-- Reference data is small and joined by the analytics views: one replication group over every
-- node of every shard (no {shard} in the path), so each node joins against a full local copy.
CREATE TABLE IF NOT EXISTS products ON CLUSTER '{cluster}'
(
    id String,
    name String,
    category LowCardinality(String),
    price Decimal(18, 2),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/products', '{shard}-{replica}', updated_at)
ORDER BY id;

CREATE TABLE IF NOT EXISTS users ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/users', '{shard}-{replica}', updated_at)
ORDER BY user_id;

-- What queries read: the whole cluster's events under the single-node names, so the analytics
-- views of clickhouse/NNN_*.sql (plain views over `events`, `products`, `users`) apply unchanged
-- on the data nodes.
CREATE TABLE IF NOT EXISTS events ON CLUSTER '{cluster}' AS events_local
ENGINE = Distributed('{cluster}', currentDatabase(), events_local, cityHash64(site, session_id));

CREATE TABLE IF NOT EXISTS ingest_errors ON CLUSTER '{cluster}' AS ingest_errors_local
ENGINE = Distributed('{cluster}', currentDatabase(), ingest_errors_local, rand());
