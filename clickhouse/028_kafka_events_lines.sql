-- The two Kafka tables of 025 read each message whole (RawBLOB, one row per message) and their
-- forwarding views split it into its lines, one JSON object each, as the collector writes them.
-- Why: the engine fills its ten virtual columns row by row, and JSONAsString also scans every object
-- for its end, so with one row per event reading cost ~2.2 µs of CPU per event; one row per message
-- read the same backlog at ~0.9 µs (loadtest/RESULTS.md, "Reading messages whole"). The lines then
-- take the parse of 025 unchanged (kafka_messages, events_parse_mv).
-- What changes for input that is not the collector's: an object spread over several lines, or a
-- line that is not JSON, becomes one `not an event` row per line in ingest_errors with that line as
-- its text (JSONAsString gave one row per message with the parser's message); empty lines are skipped.
-- The same order as 025: the chain behind the Kafka tables stays in place, consumption stops while
-- the tables are recreated, and the group resumes at its committed offsets.
DROP VIEW IF EXISTS kafka_events_mv;
DROP VIEW IF EXISTS kafka_events_2_mv;
DROP TABLE IF EXISTS kafka_events;
DROP TABLE IF EXISTS kafka_events_2;

CREATE TABLE kafka_events
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
    -- Rows are messages now: at 20 events per message the 250 ms bound ends a block (~250k events
    -- during catch-up: fewer, larger parts to merge), at one event per message this one (65,536).
    kafka_max_block_size = 65536,
    -- A block ends only once its polled batch is used up: small polls keep a block near its bounds.
    kafka_poll_max_batch_size = 1024,
    kafka_num_consumers = 1;

CREATE TABLE kafka_events_2 AS kafka_events;

CREATE MATERIALIZED VIEW kafka_events_mv TO kafka_messages AS
SELECT
    -- A row the engine could not read keeps its one (empty) line, so its error is not dropped.
    arrayJoin(if(length(_error) > 0, [''], arrayFilter(line -> line != '', splitByChar('\n', raw)))) AS raw,
    _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events;

CREATE MATERIALIZED VIEW kafka_events_2_mv TO kafka_messages AS
SELECT
    arrayJoin(if(length(_error) > 0, [''], arrayFilter(line -> line != '', splitByChar('\n', raw)))) AS raw,
    _error AS read_error, _raw_message AS raw_message, _topic AS topic, _partition AS partition,
    _offset AS offset
FROM kafka_events_2;
