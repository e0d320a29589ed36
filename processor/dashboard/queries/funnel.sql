-- Live conversion funnel, one row per minute of the range (late events left out, as funnel_1m), or
-- per hour for ranges over a day (late events counted, as funnel_1h): distinct users of each step
-- (page view → product view → add to cart → begin checkout → purchase), each user once per bucket,
-- and the rate of each step to the next. Flat over the tables (the views' nesting cost more to plan
-- than the reads): one branch reads, the others' constant condition is false.
SELECT toUnixTimestamp(window_start) AS t, viewers, product_viewers, carters, checkout_starters, purchasers,
    if(viewers = 0, 0, round(product_viewers / viewers, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate
FROM
(
    -- Up to a day: each minute's on-time states (clickhouse/ funnel_minutes).
    SELECT minute AS window_start, uniqExactMerge(viewers) AS viewers, uniqExactMerge(product_viewers) AS product_viewers,
        uniqExactMerge(carters) AS carters, uniqExactMerge(checkout_starters) AS checkout_starters,
        uniqExactMerge(purchasers) AS purchasers
    FROM funnel_minutes
    WHERE site = {site:String}
      AND minute >= {from:DateTime('UTC')}
      AND minute < {to:DateTime('UTC')}
      AND is_late = 0
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400
    GROUP BY minute
    UNION ALL
    -- Longer: the site's hours that overlap the range (each starts after `from` less an hour: at :30
    -- UTC in a zone half an hour off), each from its stored count (clickhouse/ funnel_hour_counts)
    -- while that count is current, i.e. its version equals the hour's inserts now ...
    SELECT hour, argMax(viewers, version), argMax(product_viewers, version), argMax(carters, version),
        argMax(checkout_starters, version), argMax(purchasers, version)
    FROM funnel_hour_counts
    WHERE site = {site:String}
      AND hour > {from:DateTime('UTC')} - INTERVAL 1 HOUR
      AND hour < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400
      AND (hour, version) IN
      (
          SELECT hour, sum(inserts) FROM traffic_hours
          WHERE site = {site:String} AND hour > {from:DateTime('UTC')} - INTERVAL 1 HOUR AND hour < {to:DateTime('UTC')}
          GROUP BY hour
      )
    GROUP BY hour
    UNION ALL
    -- ... and from its states (traffic_hours) otherwise: an hour that changed since it was counted.
    SELECT hour, uniqExactMerge(visitors), uniqExactMerge(product_viewers), uniqExactMerge(carters),
        uniqExactMerge(checkout_starters), uniqExactMerge(purchasers)
    FROM traffic_hours
    WHERE site = {site:String}
      AND hour > {from:DateTime('UTC')} - INTERVAL 1 HOUR
      AND hour < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400
      AND hour NOT IN
      (
          SELECT hour FROM funnel_hour_counts
          WHERE site = {site:String} AND hour > {from:DateTime('UTC')} - INTERVAL 1 HOUR AND hour < {to:DateTime('UTC')}
            AND (hour, version) IN
            (
                SELECT hour, sum(inserts) FROM traffic_hours
                WHERE site = {site:String} AND hour > {from:DateTime('UTC')} - INTERVAL 1 HOUR AND hour < {to:DateTime('UTC')}
                GROUP BY hour
            )
      )
    GROUP BY hour
)
ORDER BY t
