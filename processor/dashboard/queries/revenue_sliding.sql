-- Sliding revenue per currency, labelled by the window's end (t): windows of 5 minutes advancing
-- every minute, or for ranges over a day of an hour advancing every hour, as clickhouse/ revenue_hop
-- gives them, summed here from the range's minutes (revenue_minutes) or hours (revenue_hours) only
-- (revenue_hop fans out the whole history). Orders counted once, late orders left out, as in the
-- live windows. Windows without orders are absent; the dashboard draws them as 0.
WITH
    {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400 AS hourly,
    -- The range's windows end after `from`, and at the latest one hop after the start of `to`'s hop.
    toUnixTimestamp({from:DateTime('UTC')}) AS first_end,
    if(hourly, toUnixTimestamp(toStartOfHour({to:DateTime('UTC')})) + 3600,
       toUnixTimestamp(toStartOfMinute({to:DateTime('UTC')})) + 60) AS last_end
SELECT toUInt32(t) AS t, currency, sum(revenue) AS revenue, sum(orders) AS orders
FROM
(
    -- A minute counts in the five windows that end 1 to 5 minutes after it starts.
    SELECT currency, revenue, orders, toUnixTimestamp(minute) + 60 * arrayJoin(range(1, 6)) AS t
    FROM revenue_minutes
    WHERE site = {site:String}
      AND is_late = 0
      AND minute >= toDateTime(first_end - 300, 'UTC')
      AND minute < toDateTime(last_end, 'UTC')
      AND NOT hourly
    UNION ALL
    -- An hour is the window that ends at the next hour.
    SELECT currency, revenue, orders, toUnixTimestamp(hour) + 3600 AS t
    FROM revenue_hours
    WHERE site = {site:String}
      AND is_late = 0
      AND hour >= toDateTime(first_end - 3600, 'UTC')
      AND hour < toDateTime(last_end, 'UTC')
      AND hourly
)
WHERE t > first_end AND t <= last_end
GROUP BY t, currency
ORDER BY t, currency
