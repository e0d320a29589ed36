-- ClickHouse's own Kafka consumers: which partitions each holds, its position, and its latest
-- error. Lag needs the broker's end offsets, which the processor adds (kafka_offsets.ts).
SELECT
    table,
    consumer_id,
    assignments.partition_id AS partitions,
    assignments.current_offset AS offsets,
    num_messages_read,
    toUnixTimestamp(last_poll_time) AS last_poll,
    is_currently_used,
    -- The newest exception's first line; the rest is a native stack trace.
    if(length(exceptions.text) = 0, '', splitByChar('\n', exceptions.text[-1])[1]) AS last_error,
    if(length(exceptions.time) = 0, 0, toUnixTimestamp(exceptions.time[-1])) AS last_error_at
FROM system.kafka_consumers
ORDER BY table, consumer_id
