-- Live conversion funnel, one row per minute of the range: distinct viewers, carters and
-- purchasers (funnel_1m keeps exact distinct states, so duplicates cannot inflate them).
SELECT
    toUnixTimestamp(window_start) AS t,
    viewers,
    carters,
    purchasers,
    view_to_cart_rate,
    cart_to_buy_rate
FROM funnel_1m
WHERE site = {site:String}
  AND window_start >= {from:DateTime('UTC')}
  AND window_start < {to:DateTime('UTC')}
ORDER BY window_start
