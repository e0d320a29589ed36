-- Sliding revenue per currency, labelled by the window's end (t): windows of 5 minutes advancing
-- every minute, or for ranges over a day of an hour advancing every hour, as clickhouse/ revenue_hop
-- gives them, summed here from the minutes of the range only (revenue_hop fans out the whole
-- history). Orders counted once, late orders left out, as in the live windows. Windows without
-- orders are absent; the dashboard draws them as 0.
SELECT toUInt32(t) AS t, currency, sum(revenue) AS revenue, sum(orders) AS orders
FROM
(
    -- A minute counts in the five windows that end 1 to 5 minutes after it starts.
    SELECT currency, revenue, orders, toUnixTimestamp(minute) + 60 * arrayJoin(range(1, 6)) AS t
    FROM revenue_1m
    WHERE site = {site:String}
      AND minute >= {from:DateTime('UTC')} - INTERVAL 5 MINUTE
      AND minute <= toStartOfMinute({to:DateTime('UTC')})
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400
    UNION ALL
    -- A minute counts in the window of its hour, which ends at the next hour.
    SELECT currency, revenue, orders, toUnixTimestamp(toStartOfHour(minute)) + 3600 AS t
    FROM revenue_1m
    WHERE site = {site:String}
      AND minute >= toStartOfHour({from:DateTime('UTC')})
      AND minute < toStartOfHour({to:DateTime('UTC')}) + INTERVAL 1 HOUR
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400
)
WHERE t > toUnixTimestamp({from:DateTime('UTC')})
  AND t <= if({to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400,
              toUnixTimestamp(toStartOfMinute({to:DateTime('UTC')})) + 60,
              toUnixTimestamp(toStartOfHour({to:DateTime('UTC')})) + 3600)
GROUP BY t, currency
ORDER BY t, currency
