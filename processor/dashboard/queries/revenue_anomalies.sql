-- Revenue per 5-minute bucket and currency with a z-score against the trailing 24 hours: the
-- 288 buckets before it, from the currency's first order on, empty buckets counting as 0. Only
-- complete buckets (before the one holding {to}); z is NULL until an hour of history exists.
-- Flagged when |z| >= 3 (alerts/queries/revenue_anomaly.sql scores the newest bucket the same way).
WITH
    toStartOfFiveMinutes({to:DateTime('UTC')}) AS last_end,
    orders AS
    (
        SELECT argMin(currency, event_time) AS currency, argMin(revenue, event_time) AS revenue, min(event_time) AS at
        FROM events
        WHERE site = {site:String}
          AND type = 'purchase'
          AND event_time >= {from:DateTime('UTC')} - INTERVAL 1 DAY
          AND event_time < last_end
        GROUP BY order_id
    ),
    buckets AS
    (
        SELECT currency, toStartOfFiveMinutes(at) AS bucket, sum(revenue) AS revenue, count() AS orders
        FROM orders
        GROUP BY currency, bucket
    ),
    grid AS
    (
        -- Every bucket from the currency's first order on, so quiet buckets count as 0.
        SELECT currency, last_end - toIntervalMinute(5 * (n + 1)) AS bucket
        FROM (SELECT currency, min(bucket) AS first_seen FROM buckets GROUP BY currency)
        ARRAY JOIN range(toUInt32(dateDiff('minute', {from:DateTime('UTC')} - INTERVAL 1 DAY, last_end) / 5)) AS n
        WHERE bucket >= first_seen
    ),
    scored AS
    (
        SELECT
            grid.currency AS currency,
            grid.bucket AS bucket,
            toFloat64(buckets.revenue) AS revenue,
            buckets.orders AS orders,
            count() OVER w AS history,
            avg(toFloat64(buckets.revenue)) OVER w AS mean,
            stddevPop(toFloat64(buckets.revenue)) OVER w AS sd
        FROM grid
        LEFT JOIN buckets ON grid.currency = buckets.currency AND grid.bucket = buckets.bucket
        WINDOW w AS (PARTITION BY grid.currency ORDER BY grid.bucket ROWS BETWEEN 288 PRECEDING AND 1 PRECEDING)
    )
SELECT
    toUnixTimestamp(bucket) AS t,
    currency,
    revenue,
    orders,
    if(history < 12 OR sd = 0, NULL, round((revenue - mean) / sd, 2)) AS z,
    ifNull(abs(z) >= 3, 0) AS flagged
FROM scored
WHERE bucket >= {from:DateTime('UTC')}
ORDER BY t, currency
