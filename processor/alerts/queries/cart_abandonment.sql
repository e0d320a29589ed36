-- Cart abandonment per site: of the sessions whose last add_to_cart lies in the window that ended
-- {grace_s} seconds ago (so each has had the grace time to buy), the share with no purchase after
-- that cart event. Sites with fewer than {min_volume} such sessions are left out.
SELECT
    site AS subject,
    count() AS volume,
    countIf(last_purchase < last_cart) / count() AS value
FROM
(
    SELECT
        site,
        session_id,
        maxIf(event_time, type = 'add_to_cart') AS last_cart,
        maxIf(event_time, type = 'purchase') AS last_purchase
    FROM events
    WHERE event_time >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32} + {grace_s:UInt32})
      AND event_time < {to:DateTime('UTC')}
    GROUP BY site, session_id
    HAVING countIf(type = 'add_to_cart') > 0
       AND last_cart < {to:DateTime('UTC')} - toIntervalSecond({grace_s:UInt32})
       AND last_cart >= {to:DateTime('UTC')} - toIntervalSecond({window_s:UInt32} + {grace_s:UInt32})
)
GROUP BY site
HAVING volume >= {min_volume:UInt64}
ORDER BY subject
