-- Errors of ClickHouse's Kafka consumers in the last {window_s} seconds: a block a materialized view
-- failed on (clickhouse/README.md, "A failing view"), or the broker. Always one row, so a quiet
-- pipeline reads 0 and a firing alert resolves.
SELECT
    'pipeline' AS subject,
    count() AS volume,
    count() AS value
FROM system.kafka_consumers
ARRAY JOIN exceptions.time AS error_time
WHERE error_time >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND error_time <= {to:DateTime('UTC')}
