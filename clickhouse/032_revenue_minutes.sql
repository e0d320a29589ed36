-- Orders, units and revenue per minute and currency, summed as orders are counted (030: each order
-- once, its first purchase): a window of any size and hop, a day or a 5-minute bucket is a sum of
-- minutes. `is_late` is part of the key: the live windows leave late orders out, the daily table and
-- the anomaly series count them.
CREATE TABLE IF NOT EXISTS revenue_minutes
(
    site LowCardinality(String),
    currency LowCardinality(String),
    minute DateTime('UTC'),
    is_late UInt8,
    orders UInt64,
    units UInt64,
    revenue Decimal(38, 2)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, currency, minute, is_late);

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_minutes_mv TO revenue_minutes AS
SELECT
    site,
    currency,
    toStartOfMinute(event_time) AS minute,
    is_late,
    count() AS orders,
    toUInt64(sum(arraySum(i -> tupleElement(i, 2), items))) AS units,
    sum(revenue) AS revenue
FROM counted_events
WHERE type = 'purchase' AND is_replay = 0
GROUP BY site, currency, minute, is_late;

-- Revenue per minute and currency of the on-time orders: what the hopping windows add up.
CREATE OR REPLACE VIEW revenue_1m AS
SELECT site, currency, minute, sum(orders) AS orders, sum(units) AS units, sum(revenue) AS revenue
FROM revenue_minutes
WHERE is_late = 0
GROUP BY site, currency, minute;

-- Orders per UTC day and currency, late orders included (late_orders: how many of them).
CREATE OR REPLACE VIEW daily_orders AS
SELECT
    site,
    day,
    currency,
    orders,
    revenue,
    units,
    round(toDecimal128(revenue, 6) / orders, 2) AS aov,
    late_orders
FROM
(
    SELECT
        site,
        toDate(minute) AS day,
        currency,
        sum(orders) AS orders,
        sum(revenue) AS revenue,
        sum(units) AS units,
        sumIf(orders_of_minute, is_late = 1) AS late_orders
    FROM (SELECT *, orders AS orders_of_minute FROM revenue_minutes)
    GROUP BY site, day, currency
);

-- Revenue and orders per 5-minute bucket and currency with z-scores against the trailing 24 hours:
-- see clickhouse/README.md, revenue_anomalies. Read from the per-minute sums.
CREATE OR REPLACE VIEW revenue_anomalies AS
SELECT
    site,
    currency,
    bucket_start,
    revenue,
    orders,
    round(mean_revenue, 2) AS trailing_mean_revenue,
    round(sd_revenue, 2) AS trailing_stddev_revenue,
    if(history < 12 OR sd_revenue = 0, NULL, round((toFloat64(revenue) - mean_revenue) / sd_revenue, 4)) AS revenue_z,
    if(history < 12 OR sd_orders = 0, NULL, round((orders - mean_orders) / sd_orders, 4)) AS orders_z,
    toUInt8(revenue_z IS NOT NULL AND abs(revenue_z) >= 3) AS flagged
FROM
(
    SELECT
        g.site AS site,
        g.currency AS currency,
        g.bucket_start AS bucket_start,
        toDecimal128(b.revenue, 2) AS revenue,
        toUInt64(b.orders) AS orders,
        count() OVER w AS history,
        avg(toFloat64(b.revenue)) OVER w AS mean_revenue,
        stddevPop(toFloat64(b.revenue)) OVER w AS sd_revenue,
        avg(toFloat64(b.orders)) OVER w AS mean_orders,
        stddevPop(toFloat64(b.orders)) OVER w AS sd_orders
    FROM
    (
        -- Every bucket from the first with an order to the last closed one.
        SELECT
            site,
            currency,
            toDateTime(arrayJoin(range(
                toUnixTimestamp(min(toStartOfFiveMinutes(minute))),
                toUnixTimestamp(toStartOfFiveMinutes(now())),
                300)), 'UTC') AS bucket_start
        FROM revenue_minutes
        GROUP BY site, currency
    ) AS g
    LEFT JOIN
    (
        SELECT site, currency, toStartOfFiveMinutes(minute) AS bucket_start, sum(orders) AS orders,
            sum(revenue) AS revenue
        FROM revenue_minutes
        GROUP BY site, currency, bucket_start
    ) AS b ON b.site = g.site AND b.currency = g.currency AND b.bucket_start = g.bucket_start
    WINDOW w AS (PARTITION BY g.site, g.currency ORDER BY g.bucket_start ROWS BETWEEN 288 PRECEDING AND 1 PRECEDING)
);
