-- Ingestion nodes (the cluster named by the `{ingest_cluster}` macro): ClickHouse servers that
-- consume Kafka and store nothing. Each runs the Kafka engine's consumers (one group across all
-- of them, so partitions are shared out), parses, and writes through Distributed tables to the
-- data nodes. Parsing costs CPU here, not on the replicas that answer queries.
--
-- The Kafka offset is committed after the insert into the Distributed table returned; with
-- fsync_after_insert the block is on this node's disk by then, and the node forwards it to its
-- shard in the background (a shard that is down only delays it).

-- Where the events go: sharded by (site, session_id) as on the data nodes' own `events`.
CREATE TABLE IF NOT EXISTS events ON CLUSTER '{ingest_cluster}'
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
ENGINE = Distributed('{cluster}', currentDatabase(), events_local, cityHash64(site, session_id))
SETTINGS fsync_after_insert = 1, fsync_directories = 1;

CREATE TABLE IF NOT EXISTS ingest_errors ON CLUSTER '{ingest_cluster}'
(
    seen_at DateTime64(3, 'UTC'),
    topic LowCardinality(String),
    partition UInt32,
    offset UInt64,
    raw_message String,
    error String
)
ENGINE = Distributed('{cluster}', currentDatabase(), ingest_errors_local, rand())
SETTINGS fsync_after_insert = 1, fsync_directories = 1;

-- As the single-node clickhouse/028_kafka_events_lines.sql: each message read whole, split into its
-- lines by the forwarding views below, one parse per line.
CREATE TABLE IF NOT EXISTS kafka_events ON CLUSTER '{ingest_cluster}'
(
    raw String  -- one message: JSON objects (toKafkaRow rows), one per line
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${EVENTS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP}',
    kafka_format = 'RawBLOB',
    -- A failure to read becomes a row with _error set (routed to ingest_errors) instead of
    -- stopping consumption of everything behind it.
    kafka_handle_error_mode = 'stream',
    -- Push a block to the views at least every 250 ms: sub-second click-to-chart freshness.
    kafka_flush_interval_ms = 250,
    kafka_poll_timeout_ms = 100,
    -- Rows are messages: see 028 for the block bounds.
    kafka_max_block_size = 65536,
    kafka_poll_max_batch_size = 1024,
    -- Two Kafka tables (this one and kafka_events_2) × ingestion nodes should not exceed the
    -- topic's partitions (kafka/topics.ts), or the extra consumers sit idle.
    -- One consumer per table (see single-node 023: two per table lost partitions); scale by nodes.
    kafka_num_consumers = 1;

-- As the single-node 025: a second consumer in the group with its own thread, and both Kafka tables
-- handing their rows to one Null table that the one parse view reads.
CREATE TABLE IF NOT EXISTS kafka_events_2 ON CLUSTER '{ingest_cluster}' AS kafka_events;

CREATE TABLE IF NOT EXISTS kafka_messages ON CLUSTER '{ingest_cluster}'
(
    raw String,
    read_error String,
    raw_message String,
    topic String,
    partition UInt32,
    offset UInt64
)
ENGINE = Null;

-- Every consumed row parsed once; nothing is stored here. A row that is not an event (bad JSON,
-- or no event_id, type, site or ts) carries `error` and goes to ingest_errors, the rest to events.
CREATE TABLE IF NOT EXISTS events_parsed ON CLUSTER '{ingest_cluster}'
(
    row Tuple(
        -- Exactly the keys of `toKafkaRow` in collector/contract.ts (a test keeps them in step).
        event_id String,
        type String,
        site String,
        ts UInt64,
        event_time UInt64,
        received_at UInt64,
        anonymous_id String,
        session_id String,
        user_id String,
        url String,
        referrer String,
        title String,
        viewport String,
        language String,
        utm_source String,
        utm_medium String,
        utm_campaign String,
        utm_term String,
        utm_content String,
        product_id String,
        product_name String,
        category String,
        price Decimal(18, 2),
        quantity UInt32,
        currency String,
        order_id String,
        revenue Decimal(18, 2),
        items Array(Tuple(product_id String, quantity UInt32, price Decimal(18, 2))),
        props String,
        browser String,
        os String,
        device_type String,
        is_bot UInt8,
        ip_hash String,
        country String),
    error String,
    raw String,
    topic String,
    partition UInt32,
    offset UInt64
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS events_parse_mv ON CLUSTER '{ingest_cluster}' TO events_parsed AS
SELECT
    row,
    multiIf(
        length(read_error) > 0, read_error,
        row.event_id = '' OR row.type = '' OR row.site = '' OR row.ts = 0,
        'not an event: event_id, type, site and ts are required (or the object is not valid JSON)',
        '') AS error,
    if(error = '', '', if(length(read_error) > 0, raw_message, message)) AS raw,
    topic,
    partition,
    offset
FROM
(
    SELECT
        -- The same type as events_parsed.row (a test keeps the two and toKafkaRow in step).
        JSONExtract(raw, 'Tuple(
            event_id String, type String, site String, ts UInt64, event_time UInt64,
            received_at UInt64, anonymous_id String, session_id String, user_id String, url String,
            referrer String, title String, viewport String, language String, utm_source String,
            utm_medium String, utm_campaign String, utm_term String, utm_content String,
            product_id String, product_name String, category String, price Decimal(18, 2),
            quantity UInt32, currency String, order_id String, revenue Decimal(18, 2),
            items Array(Tuple(product_id String, quantity UInt32, price Decimal(18, 2))), props String,
            browser String, os String, device_type String, is_bot UInt8, ip_hash String,
            country String)') AS row,
        raw AS message, read_error, raw_message, topic, partition, offset
    FROM kafka_messages
);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_mv ON CLUSTER '{ingest_cluster}' TO events AS
SELECT
    row.event_id AS event_id,
    row.type AS type,
    row.site AS site,
    fromUnixTimestamp64Milli(toInt64(row.event_time), 'UTC') AS event_time,
    fromUnixTimestamp64Milli(toInt64(row.ts), 'UTC') AS client_ts,
    fromUnixTimestamp64Milli(toInt64(row.received_at), 'UTC') AS received_at,
    coalesce(nullIf(row.user_id, ''), nullIf(row.anonymous_id, ''), row.session_id) AS user_key,
    row.anonymous_id AS anonymous_id, row.session_id AS session_id, row.user_id AS user_id,
    row.url AS url, row.referrer AS referrer, row.title AS title, row.viewport AS viewport,
    row.language AS language, row.utm_source AS utm_source, row.utm_medium AS utm_medium,
    row.utm_campaign AS utm_campaign, row.utm_term AS utm_term, row.utm_content AS utm_content,
    row.product_id AS product_id, row.product_name AS product_name, row.category AS category,
    row.price AS price, row.quantity AS quantity, row.currency AS currency, row.order_id AS order_id,
    row.revenue AS revenue, row.items AS items, row.props AS props,
    row.browser AS browser, row.os AS os, row.device_type AS device_type, row.is_bot AS is_bot,
    row.ip_hash AS ip_hash, row.country AS country,
    partition AS _partition,
    offset AS _offset
FROM events_parsed
WHERE error = '';

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_errors_mv ON CLUSTER '{ingest_cluster}' TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, topic, partition, offset, raw AS raw_message, error
FROM events_parsed
WHERE error != '';

-- Last: consumption starts once a Kafka table has a view, so the chain behind them exists first.
CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_events_mv ON CLUSTER '{ingest_cluster}' TO kafka_messages AS
SELECT
    arrayJoin(if(length(_error) > 0, [''], arrayFilter(line -> line != '', splitByChar('\n', raw)))) AS raw,
    _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events;

CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_events_2_mv ON CLUSTER '{ingest_cluster}' TO kafka_messages AS
SELECT
    arrayJoin(if(length(_error) > 0, [''], arrayFilter(line -> line != '', splitByChar('\n', raw)))) AS raw,
    _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events_2;

-- Reference data: consumed here like events, written through Distributed tables to one shard;
-- the data nodes' single replication group for `products` and `users` copies it to every node.

CREATE TABLE IF NOT EXISTS kafka_products ON CLUSTER '{ingest_cluster}'
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

CREATE TABLE IF NOT EXISTS products ON CLUSTER '{ingest_cluster}'
(
    id String,
    name String,
    category LowCardinality(String),
    price Decimal(18, 2),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = Distributed('{cluster}', currentDatabase(), products, rand())
SETTINGS fsync_after_insert = 1, fsync_directories = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS products_mv ON CLUSTER '{ingest_cluster}' TO products AS
SELECT id, name, category, price, fromUnixTimestamp64Milli(toInt64(updated_at), 'UTC') AS updated_at
FROM kafka_products
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS products_errors_mv ON CLUSTER '{ingest_cluster}' TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, _topic AS topic, _partition AS partition, _offset AS offset,
    _raw_message AS raw_message, _error AS error
FROM kafka_products
WHERE length(_error) > 0;

CREATE TABLE IF NOT EXISTS kafka_users ON CLUSTER '{ingest_cluster}'
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

CREATE TABLE IF NOT EXISTS users ON CLUSTER '{ingest_cluster}'
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
ENGINE = Distributed('{cluster}', currentDatabase(), users, rand())
SETTINGS fsync_after_insert = 1, fsync_directories = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS users_mv ON CLUSTER '{ingest_cluster}' TO users AS
SELECT user_id, anonymous_id, country, language, currency, device_type, browser, os,
    fromUnixTimestamp64Milli(toInt64(updated_at), 'UTC') AS updated_at
FROM kafka_users
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS users_errors_mv ON CLUSTER '{ingest_cluster}' TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, _topic AS topic, _partition AS partition, _offset AS offset,
    _raw_message AS raw_message, _error AS error
FROM kafka_users
WHERE length(_error) > 0;
