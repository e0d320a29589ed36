-- The live conversion funnel per 1-minute tumbling window. The materialized view keeps exact
-- distinct-user states per window, so a duplicated event (an SDK retry, a Kafka redelivery)
-- cannot change a count; the view `funnel_1m` merges them into numbers.
CREATE TABLE IF NOT EXISTS funnel_1m_agg
(
    site LowCardinality(String),
    window_start DateTime('UTC'),
    viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String)
)
ENGINE = AggregatingMergeTree
ORDER BY (site, window_start);

CREATE MATERIALIZED VIEW IF NOT EXISTS funnel_1m_mv TO funnel_1m_agg AS
SELECT
    site,
    toStartOfMinute(event_time) AS window_start,
    uniqExactStateIf(user_key, type = 'page_view') AS viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers
FROM events
GROUP BY site, window_start;

-- Rates are fractions (0.25 = 25 %), 0 when the step before had nobody.
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
        window_start,
        uniqExactMerge(viewers) AS viewers,
        uniqExactMerge(carters) AS carters,
        uniqExactMerge(purchasers) AS purchasers
    FROM funnel_1m_agg
    GROUP BY site, window_start
);
