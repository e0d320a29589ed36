-- The parse: one JSON line of the events topic in, one typed `events` row (or one `ingest_errors`
-- row) out. The Kafka tables of 016_kafka.sql split each message into its lines and hand them to
-- `kafka_messages`, so the parse is written once for both consumers. Nothing here stores anything.
-- One String per line and a vectorised JSONExtract per block, not a typed Kafka table: the engine
-- builds a fresh block of every column for each message, so a 40-column JSONEachRow table cost
-- ~80 µs of CPU per message and capped catch-up near 12k events/s on this machine; this chain
-- measured ~250k events/s (loadtest/RESULTS.md).

-- One row per JSON line of a message, with the engine's read error and Kafka position.
CREATE TABLE IF NOT EXISTS kafka_messages
(
    raw String,
    read_error String,
    raw_message String,
    topic String,
    partition UInt32,
    offset UInt64
)
ENGINE = Null;

-- Every line parsed once. A line that is not an event (bad JSON, or no event_id, type, site or ts)
-- carries `error` and goes to ingest_errors, the rest to events. A field of the wrong type in an
-- otherwise valid event reads as its default; a missing field too, which is why the collector
-- leaves empty fields out of its lines (kafkaLine in contract/).
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

-- The row's text is carried on only when the row is an error (ingest_errors keeps it; events never
-- read it): copying every good row's ~740 bytes cost a third of the chain.
CREATE MATERIALIZED VIEW IF NOT EXISTS events_parse_mv TO events_parsed AS
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

-- The good rows, typed: event_time is the collector's skew-corrected time, user_key the signed-in
-- id, else the browser's anonymous id, else the session. Rows of an erased session
-- (001_events.sql, erased_sessions) are turned away: the set is read once per block, and is empty
-- or small (erasures are rare).
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
WHERE error = '' AND (row.site, row.session_id) NOT IN (SELECT site, session_id FROM erased_sessions);

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_errors_mv TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, topic, partition, offset, raw AS raw_message, error
FROM events_parsed
WHERE error != '';
