-- The live conversion funnel per 1-minute tumbling window: distinct viewers, carters and
-- purchasers. Read from the deduplicated events, so a duplicated event (an SDK retry, a Kafka
-- redelivery) or a replayed order cannot change a count. Late events (first delivered after
-- their minute closed plus the watermark) are left out, so a closed window never changes; they
-- are listed in `late_events` and still counted by the daily tables.
-- Rates are fractions (0.25 = 25 %), rounded to 4 places, 0 when the step before had nobody.
CREATE VIEW IF NOT EXISTS funnel_1m AS
SELECT
    site,
    window_start,
    viewers,
    carters,
    purchasers,
    if(viewers = 0, 0, round(carters / viewers, 4)) AS view_to_cart_rate,
    if(carters = 0, 0, round(purchasers / carters, 4)) AS cart_to_buy_rate
FROM
(
    SELECT
        site,
        toStartOfMinute(event_time) AS window_start,
        uniqExactIf(user_key, type = 'page_view') AS viewers,
        uniqExactIf(user_key, type = 'add_to_cart') AS carters,
        uniqExactIf(user_key, type = 'purchase') AS purchasers
    FROM events_unique
    WHERE is_late = 0
    GROUP BY site, window_start
);
