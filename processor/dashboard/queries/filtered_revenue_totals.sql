-- revenue_totals.sql for the visits `?filter=` keeps (clickhouse/ filtered_sessions): revenue, orders
-- and average order value per currency over the minutes that start in the range, each order once
-- (its first purchase), late orders included, from those sessions' counted purchases.
SELECT
    toString(currency) AS currency,
    sum(revenue) AS revenue,
    count() AS orders,
    round(revenue / orders, 2) AS aov
FROM counted_events
WHERE site = {site:String} AND type = 'purchase' AND is_replay = 0
  AND toStartOfMinute(event_time) >= {from:DateTime('UTC')}
  AND toStartOfMinute(event_time) < {to:DateTime('UTC')}
  AND session_id IN (SELECT session_id FROM filtered_sessions(site = {site:String}, filter_dim = {filter_dim:String},
      filter_value = {filter_value:String}))
GROUP BY currency
ORDER BY revenue DESC, currency
