-- Events whose first delivery arrived after their minute closed plus the watermark
-- (LIVE_WATERMARK_S, default 120 s): an offline browser flushing its queue, a collector outage
-- replayed from the spool. The live windows (funnel_1m, revenue_hop) leave them out so a closed
-- window never changes; every other table counts them. Deduplicated like events_unique.
CREATE VIEW IF NOT EXISTS late_events AS
SELECT
    site,
    event_id,
    type,
    event_time,
    received_at,
    toStartOfMinute(event_time) AS window_start,   -- the live window it missed
    toUnixTimestamp64Milli(received_at) - toUnixTimestamp64Milli(event_time) AS delay_ms,
    user_key,
    session_id,
    order_id,
    currency,
    revenue,
    deliveries
FROM events_unique
WHERE is_late = 1;
