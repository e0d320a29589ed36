-- Sliding revenue: windows of 5 minutes advancing every minute, labelled by their end (t), per
-- currency. Each order counts once (deduplicated on order_id, its first purchase event wins) and
-- is fanned out to the 5 windows that contain its minute. Minutes without orders are absent; the
-- dashboard draws them as 0.
WITH orders AS
(
    SELECT
        order_id,
        argMin(currency, event_time) AS currency,
        argMin(revenue, event_time) AS revenue,
        min(event_time) AS at
    FROM events
    WHERE site = {site:String}
      AND type = 'purchase'
      AND event_time >= {from:DateTime('UTC')} - INTERVAL 5 MINUTE
      AND event_time < {to:DateTime('UTC')}
    GROUP BY order_id
)
SELECT
    toUnixTimestamp(toStartOfMinute(at) + toIntervalMinute(1 + k)) AS t,
    currency,
    sum(revenue) AS revenue,
    count() AS orders
FROM orders
ARRAY JOIN range(5) AS k
WHERE t > toUnixTimestamp({from:DateTime('UTC')})
  AND t <= toUnixTimestamp(toStartOfMinute({to:DateTime('UTC')}) + INTERVAL 1 MINUTE)
GROUP BY t, currency
ORDER BY t, currency
