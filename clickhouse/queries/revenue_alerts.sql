-- 5-minute buckets whose revenue is an outlier against the trailing 24 hours.
SELECT bucket_start, currency, revenue, orders, trailing_mean_revenue, revenue_z
FROM revenue_anomalies
WHERE site = 'demo' AND flagged = 1
ORDER BY bucket_start DESC
LIMIT 20
