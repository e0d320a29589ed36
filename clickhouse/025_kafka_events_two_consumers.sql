-- Catch-up needs both cores. A second Kafka table joins the same consumer group, so two consumers
-- split the topic's partitions, each read by its own thread; both hand their messages to one Null
-- table, and the parse view reads that. The parse now carries a row's text on only when the row is
-- an error (ingest_errors keeps it; events never read it).
-- Measured on this machine (loadtest/RESULTS.md, 2026-12-03), CPU of the consuming thread per event:
-- ~2 µs reading the messages, ~1.5 µs JSONExtract, ~2 µs the views and the `events` insert, while
-- the broker and the merges left half the other core idle. 2M events (20 per message) took
-- 13.6–14.8 s with one Kafka table and 9.6–10.8 s with two and this chain.
-- Two Kafka tables of one consumer each, not 022's `kafka_thread_per_consumer` pool: each table's
-- consumer is read by its own thread on every round, so none sits idle until the pool closes it
-- (023's finding).
-- Order: the chain behind the Kafka tables exists before either feeds it. Between dropping the old
-- parse view and creating kafka_events_mv nothing is consumed, and nothing is committed meanwhile,
-- so nothing is skipped; kafka_events_2 joins the group at the committed offsets.
DROP VIEW IF EXISTS events_parse_mv;

-- What both consumers read: one row per JSON object of a message (`_error` set when it was not).
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

CREATE MATERIALIZED VIEW events_parse_mv TO events_parsed AS
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

CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_events_mv TO kafka_messages AS
SELECT raw, _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events;

-- 023's table again (same settings, same group): the second consumer.
CREATE TABLE IF NOT EXISTS kafka_events_2 AS kafka_events;

CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_events_2_mv TO kafka_messages AS
SELECT raw, _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events_2;
