-- Per UTC day, late events counted: daily_funnel.
CREATE TABLE IF NOT EXISTS traffic_days${LOCAL}
(
    site LowCardinality(String),
    day Date,
    visitors AggregateFunction(uniqExact, String),
    product_viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    sessions AggregateFunction(uniqExact, String),
    orders SimpleAggregateFunction(sum, UInt64)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_days_mv TO traffic_days${LOCAL} AS
SELECT
    site,
    toDate(event_time) AS day,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    uniqExactStateIf(user_key, type = 'page_view' AND extract(url, '/products/([^/?#]+)') != '') AS product_viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    toUInt64(countIf(type = 'purchase')) AS orders
FROM counted_events${LOCAL}
WHERE is_replay = 0
GROUP BY site, day;

-- The funnel per UTC day in distinct users: see clickhouse/README.md, daily_funnel.
CREATE VIEW IF NOT EXISTS daily_funnel AS
SELECT
    site,
    day,
    visitors,
    sessions,
    product_viewers,
    carters,
    purchasers,
    orders,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS view_to_cart_rate,
    if(carters = 0, 0, round(purchasers / carters, 4)) AS cart_to_purchase_rate,
    if(visitors = 0, 0, round(purchasers / visitors, 4)) AS conversion_rate
FROM
(
    SELECT
        site,
        day,
        uniqExactMerge(visitors) AS visitors,
        uniqExactMerge(sessions) AS sessions,
        uniqExactMerge(product_viewers) AS product_viewers,
        uniqExactMerge(carters) AS carters,
        uniqExactMerge(purchasers) AS purchasers,
        sum(orders) AS orders
    FROM traffic_days
    GROUP BY site, day
);
