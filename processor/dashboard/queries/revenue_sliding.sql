-- Sliding revenue per currency, labelled by the window's end (t): windows of 5 minutes advancing
-- every minute, or for ranges over a day of an hour advancing every hour, as clickhouse/ revenue_hop
-- gives them, summed here from the range's minutes or hours only (revenue_hop fans out the whole
-- history). Orders counted once, late orders left out, as in the live windows. Windows without orders
-- are absent; the dashboard draws them as 0.
-- One read, of the range's grain: {revenue_table:Identifier} and its time column {grain:Identifier}
-- are revenue_minutes and minute up to a day, revenue_hours and hour beyond (the app passes them,
-- processor/dashboard/panels.ts GRAINS: a branch per grain was planned even when its condition was
-- false, ~2 ms of CPU).
WITH
    {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400 AS hourly,
    -- The range's windows end after `from`, and at the latest one hop after the start of `to`'s hop.
    toUnixTimestamp({from:DateTime('UTC')}) AS first_end,
    if(hourly, toUnixTimestamp(toStartOfHour({to:DateTime('UTC')})) + 3600,
       toUnixTimestamp(toStartOfMinute({to:DateTime('UTC')})) + 60) AS last_end,
    -- A minute counts in the five windows that end 1 to 5 minutes after it starts; an hour is the
    -- window that ends at the next hour.
    if(hourly, 3600, 60) AS step,
    if(hourly, 1, 5) AS windows
SELECT toUInt32(t) AS t, currency, sum(revenue) AS revenue, sum(orders) AS orders
FROM
(
    SELECT currency, revenue, orders, toUnixTimestamp({grain:Identifier}) + step * arrayJoin(range(1, windows + 1)) AS t
    FROM {revenue_table:Identifier}
    WHERE site = {site:String}
      AND is_late = 0
      AND {grain:Identifier} >= toDateTime(first_end - step * windows, 'UTC')
      AND {grain:Identifier} < toDateTime(last_end, 'UTC')
)
WHERE t > first_end AND t <= last_end
GROUP BY t, currency
ORDER BY t, currency
