-- Conversion per site over the last {window_s} seconds: distinct purchasers / distinct viewers.
-- Sites with fewer than {min_volume} viewers are left out (too little traffic to judge).
SELECT
    site AS subject,
    uniqExactIf(user_key, type = 'page_view') AS volume,
    if(volume = 0, 0, uniqExactIf(user_key, type = 'purchase') / volume) AS value
FROM events
WHERE event_time >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND event_time < {to:DateTime('UTC')}
GROUP BY site
HAVING volume >= {min_volume:UInt64} AND volume > 0
ORDER BY subject
