-- Per day of the site's time zone (counted_events.utc_offset), late events counted: daily_funnel.
CREATE TABLE IF NOT EXISTS traffic_days${LOCAL}
(
    site LowCardinality(String),
    day Date,
    visitors AggregateFunction(uniqExact, String),
    product_viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    checkout_starters AggregateFunction(uniqExact, String),
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
    toDate(event_time + toIntervalSecond(utc_offset)) AS day,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    -- A product view: a product_view event, or a page view its site's URL patterns gave a product_id.
    uniqExactStateIf(user_key, type = 'product_view' OR (type = 'page_view' AND product_id != '')) AS product_viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'begin_checkout') AS checkout_starters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    toUInt64(countIf(type = 'purchase')) AS orders
FROM counted_events${LOCAL}
WHERE is_replay = 0
GROUP BY site, day;

-- The funnel per day of the site in distinct users: see clickhouse/README.md, daily_funnel.
CREATE VIEW IF NOT EXISTS daily_funnel AS
SELECT
    site,
    day,
    visitors,
    sessions,
    product_viewers,
    carters,
    checkout_starters,
    purchasers,
    orders,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS view_to_cart_rate,
    if(carters = 0, 0, round(purchasers / carters, 4)) AS cart_to_purchase_rate,
    if(visitors = 0, 0, round(purchasers / visitors, 4)) AS conversion_rate,
    -- Each step's rate to the next: page view → product view → add to cart → begin checkout → purchase.
    if(visitors = 0, 0, round(product_viewers / visitors, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate
FROM
(
    SELECT
        site,
        day,
        uniqExactMerge(visitors) AS visitors,
        uniqExactMerge(sessions) AS sessions,
        uniqExactMerge(product_viewers) AS product_viewers,
        uniqExactMerge(carters) AS carters,
        uniqExactMerge(checkout_starters) AS checkout_starters,
        uniqExactMerge(purchasers) AS purchasers,
        sum(orders) AS orders
    FROM traffic_days
    GROUP BY site, day
);
