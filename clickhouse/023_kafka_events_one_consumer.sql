-- 022's Kafka table with one consumer instead of two threads of one each. Two findings on this
-- machine (loadtest/RESULTS.md, "Consumers"):
-- - With `kafka_thread_per_consumer = 1` each thread takes whichever consumer is free, so under
--   uneven traffic one consumer could stay unused for `kafka_consumers_pool_ttl_ms` (60 s); the
--   engine then closed it and its partitions were read by nobody (system.kafka_consumers showed it
--   with an empty id and no rebalance): a single session's events stopped arriving.
-- - With two consumers, after `kill -9` of the broker coordinating the group, neither consumer
--   fetched again (assignments at offset -1001, nothing read for minutes); one consumer recovered.
-- One consumer is also as fast here: catch-up of 1M events (20 per message) measured 81.8k
-- events/s with one, 79.6k with two in one pipeline; the insert into `events`, not the parse, is
-- the single-threaded part.
-- The engine cannot ALTER these settings, so the table is recreated under the same name. 022's
-- events_parse_mv is bound to it by name and reads the new table at once; the consumer group is
-- the same, so consumption resumes at the committed offsets.
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
    kafka_handle_error_mode = 'stream',
    kafka_flush_interval_ms = 250,
    kafka_poll_timeout_ms = 100,
    kafka_max_block_size = 65536,
    kafka_num_consumers = 1;
