-- Closed 5-minute revenue buckets of the range per currency with their z-score against the
-- trailing 24 hours (clickhouse/ revenue_anomalies); flagged when |z| >= 3. The dashboard marks
-- flagged buckets at their end on the sliding revenue chart.
SELECT
    toUnixTimestamp(bucket_start) AS t,
    currency,
    revenue,
    orders,
    round(revenue_z, 2) AS z,
    ifNull(flagged, 0) AS flagged
FROM revenue_anomalies
WHERE site = {site:String}
  AND bucket_start >= {from:DateTime('UTC')}
  AND bucket_start < {to:DateTime('UTC')}
ORDER BY t, currency
