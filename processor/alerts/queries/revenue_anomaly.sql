-- Revenue of the last complete 5-minute bucket per site and currency, as a z-score against the
-- 288 buckets (24 hours) before it, empty buckets counting as 0. Left out until an hour of
-- history exists or when the history never varies. Same method as the dashboard's markers.
WITH
    toStartOfFiveMinutes({to:DateTime('UTC')}) AS last_end,
    orders AS
    (
        SELECT site, argMin(currency, event_time) AS currency, argMin(revenue, event_time) AS revenue,
               min(event_time) AS at
        FROM events
        WHERE type = 'purchase' AND event_time >= last_end - INTERVAL 1 DAY - INTERVAL 5 MINUTE
          AND event_time < last_end
        GROUP BY site, order_id
    ),
    buckets AS
    (
        SELECT site, currency, toStartOfFiveMinutes(at) AS bucket, toFloat64(sum(revenue)) AS revenue
        FROM orders
        GROUP BY site, currency, bucket
    ),
    grid AS
    (
        -- Every bucket from the series' first order on, so quiet buckets count as 0.
        SELECT site, currency, last_end - toIntervalMinute(5 * (n + 1)) AS bucket
        FROM (SELECT site, currency, min(bucket) AS first_seen FROM buckets GROUP BY site, currency)
        ARRAY JOIN range(289) AS n
        WHERE bucket >= first_seen
    ),
    series AS
    (
        SELECT grid.site AS site, grid.currency AS currency, grid.bucket AS bucket,
               ifNull(buckets.revenue, 0) AS revenue
        FROM grid
        LEFT JOIN buckets ON grid.site = buckets.site AND grid.currency = buckets.currency
            AND grid.bucket = buckets.bucket
    )
SELECT
    concat(site, '/', currency) AS subject,
    countIf(bucket < last_end - INTERVAL 5 MINUTE) AS volume,
    anyIf(revenue, bucket = last_end - INTERVAL 5 MINUTE) AS current,
    avgIf(revenue, bucket < last_end - INTERVAL 5 MINUTE) AS mean,
    stddevPopIf(revenue, bucket < last_end - INTERVAL 5 MINUTE) AS sd,
    round((current - mean) / sd, 2) AS value
FROM series
GROUP BY site, currency
HAVING volume >= 12 AND sd > 0
ORDER BY subject
