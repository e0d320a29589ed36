-- Revenue, orders and average order value per currency over the range, from `orders` (each
-- order_id once, late orders included).
SELECT
    currency,
    sum(revenue) AS revenue,
    count() AS orders,
    round(revenue / orders, 2) AS aov
FROM orders
WHERE site = {site:String}
  AND event_time >= {from:DateTime('UTC')}
  AND event_time < {to:DateTime('UTC')}
GROUP BY currency
ORDER BY revenue DESC, currency
