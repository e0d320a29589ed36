-- The events topic read as whole JSON objects and parsed in one JSONExtract per row, replacing the
-- 40-column JSONEachRow table of 001. Measured on this machine (loadtest/RESULTS.md): the Kafka
-- engine builds a fresh block of every column for each message, so a wide typed table costs
-- ~80 µs of CPU per message (LowCardinality dictionaries, nested arrays), capping catch-up near
-- 12k events/s; one String column per message and a vectorised parse per block sustain ~250k/s
-- with two consumers. The collector also packs a batch's events of one session into one message.
-- Dropping and recreating keeps the consumer group, so consumption resumes at the committed offset.
DROP VIEW IF EXISTS events_mv;
DROP VIEW IF EXISTS ingest_errors_mv;
DROP TABLE IF EXISTS kafka_events;

CREATE TABLE kafka_events
(
    raw String  -- one JSON object (a toKafkaRow row); a message may hold several, one per line
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${EVENTS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP}',
    kafka_format = 'JSONAsString',
    -- A message that is not JSON objects becomes a row with _error set (routed to ingest_errors)
    -- instead of stopping consumption of everything behind it.
    kafka_handle_error_mode = 'stream',
    -- Push a block to the views at least every 250 ms: sub-second click-to-chart freshness.
    kafka_flush_interval_ms = 250,
    kafka_poll_timeout_ms = 100,
    kafka_max_block_size = 65536,
    -- Two consumers, each on its own thread, share the 6 partitions: parsing uses both cores.
    kafka_num_consumers = 2,
    kafka_thread_per_consumer = 1;

-- Every consumed row parsed once; nothing is stored here. A row that is not an event (bad JSON,
-- or no event_id, type, site or ts) carries `error` and goes to ingest_errors, the rest to events.
CREATE TABLE IF NOT EXISTS events_parsed
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

CREATE MATERIALIZED VIEW IF NOT EXISTS events_parse_mv TO events_parsed AS
SELECT
    row,
    multiIf(
        length(_error) > 0, _error,
        row.event_id = '' OR row.type = '' OR row.site = '' OR row.ts = 0,
        'not an event: event_id, type, site and ts are required (or the object is not valid JSON)',
        '') AS error,
    if(length(_error) > 0, _raw_message, raw) AS raw,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset
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
        raw, _error, _raw_message, _topic, _partition, _offset
    FROM kafka_events
);

CREATE MATERIALIZED VIEW IF NOT EXISTS events_mv TO events AS
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

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_errors_mv TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, topic, partition, offset, raw AS raw_message, error
FROM events_parsed
WHERE error != '';
