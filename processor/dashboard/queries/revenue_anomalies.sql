-- Closed 5-minute revenue buckets of the range per currency whose revenue is an outlier against the
-- trailing 24 hours (|z| >= 3), scored as clickhouse/ revenue_anomalies scores them (late orders
-- counted; empty buckets are zeros from the currency's first order on): the dashboard marks them at
-- their end on the sliding revenue chart. Read from clickhouse/ revenue_five_minutes over the range
-- and the 24 hours before it, all that a bucket's z-score looks back at.
WITH
    toStartOfFiveMinutes({from:DateTime('UTC')}) - INTERVAL 1440 MINUTE AS read_from,
    -- Buckets start before `to` and are closed.
    least(toStartOfFiveMinutes(now()), {to:DateTime('UTC')}) AS series_end
SELECT toUnixTimestamp(bucket_start) AS t, currency, revenue, orders, round(revenue_z, 2) AS z, flagged
FROM
(
    SELECT
        currency,
        bucket_start,
        revenue,
        orders,
        count() OVER w AS history,
        avg(toFloat64(revenue)) OVER w AS mean_revenue,
        stddevPop(toFloat64(revenue)) OVER w AS sd_revenue,
        if(history < 12 OR sd_revenue = 0, NULL, round((toFloat64(revenue) - mean_revenue) / sd_revenue, 4)) AS revenue_z,
        toUInt8(revenue_z IS NOT NULL AND abs(revenue_z) >= 3) AS flagged
    FROM
    (
        SELECT currency, bucket_start, sum(revenue) AS revenue, sum(orders) AS orders
        FROM
        (
            SELECT currency, bucket_start, revenue, orders
            FROM revenue_five_minutes
            WHERE site = {site:String} AND bucket_start >= read_from AND bucket_start < series_end
            UNION ALL
            -- A currency with orders before what is read is zero-filled from its start.
            SELECT DISTINCT currency, read_from, toDecimal128(0, 2), toUInt64(0)
            FROM revenue_five_minutes
            WHERE site = {site:String} AND bucket_start < read_from
        )
        GROUP BY currency, bucket_start
        -- Each currency's empty buckets as zeros, from its first one read to the series' end.
        ORDER BY currency, bucket_start WITH FILL TO series_end STEP 300
    )
    WINDOW w AS (PARTITION BY currency ORDER BY bucket_start ROWS BETWEEN 288 PRECEDING AND 1 PRECEDING)
)
WHERE bucket_start >= {from:DateTime('UTC')} AND flagged = 1
ORDER BY t, currency
