-- Closed 5-minute revenue buckets of the range per currency with their z-score against the
-- trailing 24 hours (clickhouse/ revenue_anomalies_between: the range's part of revenue_anomalies);
-- flagged when |z| >= 3. The dashboard marks flagged buckets at their end on the sliding revenue
-- chart.
SELECT
    toUnixTimestamp(bucket_start) AS t,
    currency,
    revenue,
    orders,
    round(revenue_z, 2) AS z,
    ifNull(flagged, 0) AS flagged
FROM revenue_anomalies_between(site = {site:String}, from = {from:DateTime('UTC')}, to = {to:DateTime('UTC')})
ORDER BY t, currency
