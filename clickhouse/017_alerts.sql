-- The alert service's state (processor/alerts/), so that a restart of the processor neither fires an
-- alert that is still firing a second time nor forgets it: each transition (firing, resolved) as it is
-- decided, the alert as published on the alerts topic. The processor reads the newest row per alert at
-- start. Written only by the processor's own user (its own chdb session, or CLICKHOUSE_USER on a
-- server); SQL users' sessions and the server's reader are read-only, so the console cannot change it.
CREATE TABLE IF NOT EXISTS alert_state
(
    alert_id String,
    status LowCardinality(String),   -- 'firing' or 'resolved'
    at DateTime64(3, 'UTC'),         -- when the transition happened
    alert String                     -- the Alert as JSON (processor/alerts/evaluate.ts)
)
-- Every transition is kept (a few rows a day); the newest per alert is its state.
ENGINE = MergeTree
ORDER BY (alert_id, at);
