-- The events topic as ClickHouse reads it. Columns are exactly the keys of `toKafkaRow` in
-- collector/contract.ts (a test keeps them in step). Nothing is stored here: materialized views
-- below copy each consumed block into real tables.
CREATE TABLE IF NOT EXISTS kafka_events
(
    event_id String,
    type LowCardinality(String),
    site LowCardinality(String),
    ts UInt64,              -- client clock, Unix ms, as the browser saw it
    event_time UInt64,      -- Unix ms corrected for client clock skew by the collector
    received_at UInt64,     -- collector clock, Unix ms
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
    price Decimal(18, 2),   -- parsed from the JSON text, so 19.99 stays exactly 19.99
    quantity UInt32,
    currency LowCardinality(String),
    order_id String,
    revenue Decimal(18, 2),
    items Array(Tuple(product_id String, quantity UInt32, price Decimal(18, 2))),
    props String,           -- free-form JSON object, kept as text
    -- The collector's enrichment (collector/enrich.ts). A message without them (an older
    -- collector) reads as '' and 0: JSONEachRow fills missing keys with defaults.
    browser LowCardinality(String),
    os LowCardinality(String),
    device_type LowCardinality(String),
    is_bot UInt8,
    ip_hash String,
    country LowCardinality(String)
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${EVENTS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP}',
    kafka_format = 'JSONEachRow',
    -- A malformed message becomes a row with _error set (routed to ingest_errors) instead of
    -- stopping consumption of everything behind it.
    kafka_handle_error_mode = 'stream',
    -- Push a block to the views at least every 250 ms: sub-second click-to-chart freshness.
    kafka_flush_interval_ms = 250,
    kafka_poll_timeout_ms = 100,
    kafka_max_block_size = 65536;
