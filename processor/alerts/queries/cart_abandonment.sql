-- Cart abandonment per site as clickhouse/ cart_abandonment defines it: of the sessions whose last
-- cart event lies in the last {window_s} seconds and whose fate is known (30 minutes passed, or
-- they bought), the share abandoned; read from clickhouse/ cart_states, kept as events arrive.
-- Sites with fewer than {min_volume} such carts are left out.
SELECT
    site AS subject,
    sum(purchased_carts) + sumIf(carts - purchased_carts, last_cart_at + INTERVAL 30 MINUTE <= now64(3, 'UTC'))
        AS volume,
    sumIf(carts - purchased_carts, last_cart_at + INTERVAL 30 MINUTE <= now64(3, 'UTC')) / volume AS value
FROM cart_states
WHERE last_cart_at >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32})
  AND last_cart_at < {to:DateTime('UTC')}
GROUP BY site
HAVING volume >= {min_volume:UInt64} AND volume > 0
ORDER BY subject
