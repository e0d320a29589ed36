-- revenue_sliding.sql for the visits `?filter=` keeps (clickhouse/ filtered_sessions), with its
-- windows (5 minutes hopping by the minute, or an hour by the hour over a day) and its rules (each
-- order once, late orders left out, as the live windows), from those sessions' counted purchases.
SELECT toUInt32(t) AS t, currency, sum(revenue) AS revenue, toUInt64(count()) AS orders
FROM
(
    SELECT
        toString(currency) AS currency,
        revenue,
        arrayJoin(if({to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400,
            -- A minute counts in the five windows that end 1 to 5 minutes after it starts.
            arrayMap(k -> toUnixTimestamp(toStartOfMinute(event_time)) + 60 * k, range(1, 6)),
            -- A minute counts in the window of its hour, which ends at the next hour.
            [toUnixTimestamp(toStartOfHour(event_time)) + 3600])) AS t
    FROM counted_events
    WHERE site = {site:String} AND type = 'purchase' AND is_replay = 0 AND is_late = 0
      AND event_time >= least(toStartOfHour({from:DateTime('UTC')}), {from:DateTime('UTC')} - INTERVAL 5 MINUTE)
      AND event_time < toStartOfHour({to:DateTime('UTC')}) + INTERVAL 1 HOUR
      AND session_id IN (SELECT session_id FROM filtered_sessions(site = {site:String}, filter_dim = {filter_dim:String},
          filter_value = {filter_value:String}))
)
WHERE t > toUnixTimestamp({from:DateTime('UTC')})
  AND t <= if({to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400,
              toUnixTimestamp(toStartOfMinute({to:DateTime('UTC')})) + 60,
              toUnixTimestamp(toStartOfHour({to:DateTime('UTC')})) + 3600)
GROUP BY t, currency
ORDER BY t, currency
