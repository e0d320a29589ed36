-- Revenue, orders and average order value per currency over the range; each order once.
SELECT
    currency,
    sum(order_revenue) AS revenue,
    count() AS orders,
    round(revenue / orders, 2) AS aov
FROM
(
    SELECT order_id, argMin(currency, event_time) AS currency, argMin(revenue, event_time) AS order_revenue
    FROM events
    WHERE site = {site:String}
      AND type = 'purchase'
      AND event_time >= {from:DateTime('UTC')}
      AND event_time < {to:DateTime('UTC')}
    GROUP BY order_id
)
GROUP BY currency
ORDER BY revenue DESC, currency
