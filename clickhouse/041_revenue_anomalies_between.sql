-- The anomaly series of 032 for one site ('' = every site) and the buckets that start in [from, to), read
-- from the 24 hours before `from` on instead of from the site's first order: a bucket's z-score looks back
-- 288 buckets only, and the series is zero-filled from max(first order, from - 24 h), so every bucket of
-- the range gets the trailing window and `history` count it gets over the whole series (the dashboard
-- read the whole series at each refresh: 40-60 ms of CPU at 10M events). The dashboard and the revenue
-- alert read it; `revenue_anomalies` is the same over every site and bucket.
CREATE VIEW IF NOT EXISTS revenue_anomalies_between AS
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
        -- Every bucket from the later of the first with an order and 24 h before the range, to the last
        -- closed one that starts before `to`.
        SELECT
            site,
            currency,
            toDateTime(arrayJoin(range(
                toUnixTimestamp(greatest(
                    min(toStartOfFiveMinutes(minute)),
                    toStartOfFiveMinutes({from:DateTime('UTC')}) - INTERVAL 1440 MINUTE)),
                toUnixTimestamp(least(toStartOfFiveMinutes(now()), {to:DateTime('UTC')})),
                300)), 'UTC') AS bucket_start
        FROM revenue_minutes
        WHERE {site:String} = '' OR site = {site:String}
        GROUP BY site, currency
    ) AS g
    LEFT JOIN
    (
        -- Whole buckets, also the one holding `to`, as over the whole series.
        SELECT site, currency, toStartOfFiveMinutes(minute) AS bucket_start, sum(orders) AS orders,
            sum(revenue) AS revenue
        FROM revenue_minutes
        WHERE ({site:String} = '' OR site = {site:String})
          AND minute >= toStartOfFiveMinutes({from:DateTime('UTC')}) - INTERVAL 1440 MINUTE
          AND minute < toStartOfFiveMinutes({to:DateTime('UTC')}) + INTERVAL 5 MINUTE
        GROUP BY site, currency, bucket_start
    ) AS b ON b.site = g.site AND b.currency = g.currency AND b.bucket_start = g.bucket_start
    WINDOW w AS (PARTITION BY g.site, g.currency ORDER BY g.bucket_start ROWS BETWEEN 288 PRECEDING AND 1 PRECEDING)
)
WHERE bucket_start >= {from:DateTime('UTC')};

-- From 1970-01-02: 24 hours earlier must still be a DateTime.
CREATE OR REPLACE VIEW revenue_anomalies AS
SELECT *
FROM revenue_anomalies_between(
    site = '', from = toDateTime('1970-01-02 00:00:00', 'UTC'), to = toDateTime('2106-01-01 00:00:00', 'UTC'));
