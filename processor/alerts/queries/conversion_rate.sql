-- Conversion per site over the last {window_s} seconds: distinct purchasers / distinct viewers
-- (clickhouse/ events_unique: each event once, replayed orders dropped). Sites with fewer than
-- {min_volume} viewers are left out (too little traffic to judge).
SELECT
    site AS subject,
    uniqExactIf(user_key, type = 'page_view') AS volume,
    uniqExactIf(user_key, type = 'purchase') / volume AS value
FROM events_unique
WHERE event_time >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND event_time < {to:DateTime('UTC')}
GROUP BY site
HAVING volume >= {min_volume:UInt64} AND volume > 0
ORDER BY subject
