-- Cart abandonment per site as clickhouse/ cart_abandonment defines it: of the sessions whose last
-- cart event lies in the last {window_s} seconds and whose fate is known (30 minutes passed, or
-- they bought), the share abandoned. Sites with fewer than {min_volume} such carts are left out.
SELECT
    site AS subject,
    countIf(status IN ('abandoned', 'purchased')) AS volume,
    countIf(status = 'abandoned') / volume AS value
FROM abandoned_carts
WHERE last_cart_at >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND last_cart_at < {to:DateTime('UTC')}
GROUP BY site
HAVING volume >= {min_volume:UInt64} AND volume > 0
ORDER BY subject
