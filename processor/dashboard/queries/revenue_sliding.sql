-- Sliding revenue per currency, labelled by the window's end (t): windows of 5 minutes advancing
-- every minute (clickhouse/ revenue_hop), or for ranges over a day of an hour advancing every hour.
-- Orders counted once, late orders left out, as in the live windows. Windows without orders are
-- absent; the dashboard draws them as 0.
SELECT *
FROM
(
    SELECT toUnixTimestamp(window_end) AS t, currency, revenue, orders
    FROM revenue_hop(size_minutes = 5, hop_minutes = 1)
    WHERE site = {site:String}
      AND window_end > {from:DateTime('UTC')}
      AND window_end <= toStartOfMinute({to:DateTime('UTC')}) + INTERVAL 1 MINUTE
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400
    UNION ALL
    SELECT toUnixTimestamp(window_end) AS t, currency, revenue, orders
    FROM revenue_hop(size_minutes = 60, hop_minutes = 60)
    WHERE site = {site:String}
      AND window_end > {from:DateTime('UTC')}
      AND window_end <= toStartOfHour({to:DateTime('UTC')}) + INTERVAL 1 HOUR
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400
)
ORDER BY t, currency
