-- Distinct users per minute, hour and day as mergeable states (and page views), written as events are
-- counted (030):
-- a distinct count over a range is a merge of its buckets' states, never a sum of their counts.
-- `is_late` is part of the key: the live windows (funnel_1m) read on-time events only, the hourly and
-- daily tables all of them. uniqExact keeps a 128-bit hash per distinct key: exact, ~16 bytes per
-- user and bucket.
CREATE TABLE IF NOT EXISTS funnel_minutes
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

CREATE MATERIALIZED VIEW IF NOT EXISTS funnel_minutes_mv TO funnel_minutes AS
SELECT
    site,
    toStartOfMinute(event_time) AS minute,
    is_late,
    uniqExactStateIf(user_key, type = 'page_view') AS viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    toUInt64(countIf(type = 'page_view')) AS page_views
FROM counted_events
WHERE is_replay = 0
GROUP BY site, minute, is_late;

-- Per hour, late events counted: the funnel of long ranges and the hourly KPIs.
CREATE TABLE IF NOT EXISTS traffic_hours
(
    site LowCardinality(String),
    hour DateTime('UTC'),
    visitors AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    sessions AggregateFunction(uniqExact, String),
    converting_sessions AggregateFunction(uniqExact, String),
    page_views SimpleAggregateFunction(sum, UInt64),
    orders SimpleAggregateFunction(sum, UInt64),
    -- Order revenue and order count per currency.
    revenue SimpleAggregateFunction(sumMap, Map(String, Decimal(38, 2))),
    orders_by_currency SimpleAggregateFunction(sumMap, Map(String, UInt64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_hours_mv TO traffic_hours AS
SELECT
    site,
    toStartOfHour(event_time) AS hour,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    uniqExactStateIf(session_id, type = 'purchase') AS converting_sessions,
    toUInt64(countIf(type = 'page_view')) AS page_views,
    toUInt64(countIf(type = 'purchase')) AS orders,
    sumMapIf(map(toString(currency), toDecimal128(revenue, 2)), type = 'purchase') AS revenue,
    sumMapIf(map(toString(currency), toUInt64(1)), type = 'purchase') AS orders_by_currency
FROM counted_events
WHERE is_replay = 0
GROUP BY site, hour;

-- Per UTC day, late events counted: daily_funnel.
CREATE TABLE IF NOT EXISTS traffic_days
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

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_days_mv TO traffic_days AS
SELECT
    site,
    toDate(event_time) AS day,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    uniqExactStateIf(user_key, type = 'page_view' AND extract(url, '/products/([^/?#]+)') != '') AS product_viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    toUInt64(countIf(type = 'purchase')) AS orders
FROM counted_events
WHERE is_replay = 0
GROUP BY site, day;

-- The live funnel per 1-minute tumbling window (late events left out). Rates are fractions rounded
-- to 4 places, 0 when the step before had nobody.
CREATE OR REPLACE VIEW funnel_1m AS
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

-- The funnel per hour (late events counted), for ranges too long to draw by the minute.
CREATE OR REPLACE VIEW funnel_1h AS
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
        hour AS window_start,
        uniqExactMerge(visitors) AS viewers,
        uniqExactMerge(carters) AS carters,
        uniqExactMerge(purchasers) AS purchasers
    FROM traffic_hours
    GROUP BY site, hour
);

-- Headline numbers per UTC hour: see clickhouse/README.md, hourly_kpis.
CREATE OR REPLACE VIEW hourly_kpis AS
SELECT
    site,
    hour,
    visitors,
    sessions,
    page_views,
    orders,
    converting_sessions,
    if(sessions = 0, 0, round(converting_sessions / sessions, 4)) AS conversion_rate,
    revenue,
    mapApply((c, r) -> (c, round(toDecimal128(r, 6) / orders_by_currency[c], 2)), revenue) AS aov
FROM
(
    SELECT
        site,
        hour,
        uniqExactMerge(visitors) AS visitors,
        uniqExactMerge(sessions) AS sessions,
        sum(page_views) AS page_views,
        sum(orders) AS orders,
        uniqExactMerge(converting_sessions) AS converting_sessions,
        sumMap(revenue) AS revenue,
        sumMap(orders_by_currency) AS orders_by_currency
    FROM traffic_hours
    GROUP BY site, hour
);

-- The funnel per UTC day in distinct users: see clickhouse/README.md, daily_funnel.
CREATE OR REPLACE VIEW daily_funnel AS
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
