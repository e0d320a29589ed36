-- Conversion per site over the minutes that start in the last {window_s} seconds: distinct
-- purchasers / distinct viewers, merged from clickhouse/ funnel_minutes (each event once, replayed
-- orders dropped, late events counted). Sites with fewer than {min_volume} viewers are left out (too
-- little traffic to judge).
SELECT
    site AS subject,
    uniqExactMerge(viewers) AS volume,
    uniqExactMerge(purchasers) / volume AS value
FROM funnel_minutes
WHERE minute >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND minute < {to:DateTime('UTC')}
GROUP BY site
HAVING volume >= {min_volume:UInt64} AND volume > 0
ORDER BY subject
