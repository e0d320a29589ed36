-- The live funnel: distinct users per minute as mergeable states (and page views), written as events
-- are counted (006_counted_events.sql). A distinct count over a range is a merge of its buckets'
-- states, never a sum of their counts. `is_late` is part of the key: the live window (funnel_1m)
-- reads on-time events only, the dashboard's page views all of them. uniqExact keeps a 128-bit hash
-- per distinct key: exact, ~16 bytes per user and bucket.
CREATE TABLE IF NOT EXISTS funnel_minutes${LOCAL}
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    is_late UInt8,
    viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    page_views SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute, is_late);

CREATE MATERIALIZED VIEW IF NOT EXISTS funnel_minutes_mv TO funnel_minutes${LOCAL} AS
SELECT
    site,
    toStartOfMinute(event_time) AS minute,
    is_late,
    uniqExactStateIf(user_key, type = 'page_view') AS viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    toUInt64(countIf(type = 'page_view')) AS page_views
FROM counted_events${LOCAL}
WHERE is_replay = 0
GROUP BY site, minute, is_late;

-- The live funnel per 1-minute tumbling window (late events left out). Rates are fractions rounded
-- to 4 places, 0 when the step before had nobody.
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
        minute AS window_start,
        uniqExactMerge(viewers) AS viewers,
        uniqExactMerge(carters) AS carters,
        uniqExactMerge(purchasers) AS purchasers
    FROM funnel_minutes
    WHERE is_late = 0
    GROUP BY site, minute
);
