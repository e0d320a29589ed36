-- The Kafka engine tables and the views that forward what they read: last, so that on a first start
-- with a backlog already in the topics nothing is consumed before every table and view behind them
-- exists (a Kafka table starts consuming as soon as a materialized view reads it). Dropping and
-- recreating a Kafka table keeps its consumer group, so consumption resumes at the committed offsets.

-- The events topic. Two tables of one consumer each in one group, so the two consumers split the
-- topic's partitions and each is read by its own thread: catch-up was bound by one consuming thread
-- (~5-6 µs of CPU per event) while the other core was half idle; 2M events took 13.6-14.8 s with one
-- table and 9.6-10.8 s with two. Not one table with kafka_num_consumers = 2: with a thread per
-- consumer each thread took whichever consumer was free, so one could stay unused past
-- kafka_consumers_pool_ttl_ms (60 s), be closed by the engine and leave its partitions unread; and
-- after a kill -9 of the broker coordinating the group, two consumers in one table never fetched
-- again where one recovered (loadtest/RESULTS.md, "Consumers").
-- Each message is read whole (RawBLOB, one row per message) and split into its lines by the
-- forwarding view: the engine fills its ten virtual columns row by row, and JSONAsString also scans
-- every object for its end, so one row per event cost ~2.2 µs of CPU per event in reading alone, one
-- row per message ~0.9 µs (20 events per message). A line that is not an event, or an object spread
-- over several lines, becomes one `not an event` row per line in ingest_errors; empty lines are
-- skipped.
CREATE TABLE IF NOT EXISTS kafka_events
(
    raw String  -- one message: JSON objects (toKafkaRow rows), one per line
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = '${KAFKA_BROKERS}',
    kafka_topic_list = '${EVENTS_TOPIC}',
    kafka_group_name = '${KAFKA_GROUP}',
    kafka_format = 'RawBLOB',
    -- RawBLOB cannot fail to read a message; kept so that a failure would still be a row with
    -- _error set (routed to ingest_errors), never a stop of everything behind it.
    kafka_handle_error_mode = 'stream',
    -- Push a block to the views at least every 250 ms: sub-second click-to-chart freshness.
    kafka_flush_interval_ms = 250,
    kafka_poll_timeout_ms = 100,
    -- A block whose last poll came back empty counts as a stalled stream, and the engine waits this
    -- long before it reads the next block (500 ms by default; chdb 26.7 has the setting). At 5k
    -- events/s a consumer gets ~27 messages a second (87 events each), so by Poisson one 100 ms poll
    -- in ~15 is empty, and an event arriving then waited half a second more than its block's views.
    -- A block failing in a view is retried after this too: 10 times a second instead of 2.
    kafka_consumer_reschedule_ms = 100,
    -- Rows are messages: at 20 events per message the 250 ms bound ends a block (~250k events
    -- during catch-up: fewer, larger parts to merge), at one event per message this one (65,536).
    kafka_max_block_size = 65536,
    -- A block ends only once its polled batch is used up: small polls keep a block near its bounds.
    kafka_poll_max_batch_size = 1024,
    kafka_num_consumers = 1;

-- The second consumer: the same settings and group.
CREATE TABLE IF NOT EXISTS kafka_events_2 AS kafka_events;

CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_events_mv TO kafka_messages AS
SELECT
    -- A row the engine could not read keeps its one (empty) line, so its error is not dropped.
    arrayJoin(if(length(_error) > 0, [''], arrayFilter(line -> line != '', splitByChar('\n', raw)))) AS raw,
    _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events;

CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_events_2_mv TO kafka_messages AS
SELECT
    arrayJoin(if(length(_error) > 0, [''], arrayFilter(line -> line != '', splitByChar('\n', raw)))) AS raw,
    _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events_2;

-- The reference data of 004_catalogue.sql, published by clickhouse/load_catalogue.ts.
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

CREATE MATERIALIZED VIEW IF NOT EXISTS products_mv TO products AS
SELECT id, name, category, price, fromUnixTimestamp64Milli(toInt64(updated_at), 'UTC') AS updated_at
FROM kafka_products
WHERE length(_error) = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS products_errors_mv TO ingest_errors AS
SELECT now64(3, 'UTC') AS seen_at, _topic AS topic, _partition AS partition, _offset AS offset,
    _raw_message AS raw_message, _error AS error
FROM kafka_products
WHERE length(_error) > 0;

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
