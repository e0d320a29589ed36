-- Revenue, orders and average order value per currency over the minutes that start in the range,
-- summed from clickhouse/ revenue_minutes (each order_id once, late orders included).
SELECT
    currency,
    sum(revenue) AS revenue,
    sum(orders) AS orders,
    round(revenue / orders, 2) AS aov
FROM revenue_minutes
WHERE site = {site:String}
  AND minute >= {from:DateTime('UTC')}
  AND minute < {to:DateTime('UTC')}
GROUP BY currency
ORDER BY revenue DESC, currency
