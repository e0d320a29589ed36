-- Sliding revenue: windows of 5 minutes advancing every minute (clickhouse/ revenue_hop), per
-- currency, labelled by their end (t). Orders counted once, late orders left out, as in the live
-- windows. Windows without orders are absent; the dashboard draws them as 0.
SELECT
    toUnixTimestamp(window_end) AS t,
    currency,
    revenue,
    orders
FROM revenue_hop(size_minutes = 5, hop_minutes = 1)
WHERE site = {site:String}
  AND window_end > {from:DateTime('UTC')}
  AND window_end <= toStartOfMinute({to:DateTime('UTC')}) + INTERVAL 1 MINUTE
ORDER BY t, currency
