-- Revenue and orders per 5-minute bucket and currency, each with a z-score against the trailing
-- 24 hours (the 288 buckets before it, empty buckets counting as zero), flagged when
-- |revenue_z| >= 3. Buckets run from the first one with an order to the last closed one (its end
-- at or before now), so a stop in sales shows as zeros. z is NULL with fewer than 12 trailing
-- buckets (an hour) or when the trailing values never varied. Counts late orders (an anomaly
-- report wants what really happened); each order once.
CREATE VIEW IF NOT EXISTS revenue_anomalies AS
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
                toUnixTimestamp(min(toStartOfFiveMinutes(event_time))),
                toUnixTimestamp(toStartOfFiveMinutes(now())),
                300)), 'UTC') AS bucket_start
        FROM orders
        GROUP BY site, currency
    ) AS g
    LEFT JOIN
    (
        SELECT site, currency, toStartOfFiveMinutes(event_time) AS bucket_start, count() AS orders, sum(revenue) AS revenue
        FROM orders
        GROUP BY site, currency, bucket_start
    ) AS b ON b.site = g.site AND b.currency = g.currency AND b.bucket_start = g.bucket_start
    WINDOW w AS (PARTITION BY g.site, g.currency ORDER BY g.bucket_start ROWS BETWEEN 288 PRECEDING AND 1 PRECEDING)
);
