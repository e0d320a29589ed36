-- The alert service's state (processor/alerts/), so that a restart of the processor neither fires an
-- alert that is still firing a second time, nor forgets it, nor loses a notification it had not delivered:
-- each transition (firing, resolved) as it is decided, the alert as published on the alerts topic, and the
-- notifiers it is owed to; then each notifier's delivery of it. The processor reads, at start, the newest
-- row per alert and every transition a notifier it still has did not acknowledge. Written only by the
-- processor's own user (its own chdb session, or CLICKHOUSE_USER on a server); SQL users' sessions and the
-- server's reader are read-only, so the console can neither change the state nor mark a delivery done.
CREATE TABLE IF NOT EXISTS alert_state
(
    alert_id String,
    status LowCardinality(String),   -- 'firing' or 'resolved'
    at DateTime64(3, 'UTC'),         -- when the transition happened; with alert_id, the id receivers dedup on
    alert String,                    -- the Alert as JSON (processor/alerts/evaluate.ts)
    -- The notifiers configured when it was decided ('kafka', 'webhook'), in the same row as the transition
    -- (one INSERT, so no transition is stored without its owed deliveries): a webhook configured later is
    -- not sent the history it never subscribed to.
    notifiers Array(LowCardinality(String))
)
-- Every transition is kept (a few rows a day); the newest per alert is its state.
ENGINE = MergeTree
ORDER BY (alert_id, at);

-- One row per (transition, notifier) once the notifier accepted it (Kafka acked, the webhook answered 2xx).
-- A transition in alert_state without its row here is re-queued at start: at-least-once per notifier (a
-- crash between the send and this row sends it again, with the same alert_id and at).
CREATE TABLE IF NOT EXISTS alert_deliveries
(
    alert_id String,
    at DateTime64(3, 'UTC'),         -- the transition's `at` in alert_state
    notifier LowCardinality(String),
    delivered_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (alert_id, at, notifier);
