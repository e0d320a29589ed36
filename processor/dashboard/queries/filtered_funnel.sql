-- funnel.sql for the visits `?filter=` keeps (clickhouse/ filtered_sessions), from their counted
-- events with its rules: per minute of the range, on-time events only (as funnel_1m), or for ranges
-- over a day per hour overlapping the range, late events counted (as funnel_1h): distinct users of each
-- step (page view → product view → add to cart → begin checkout → purchase), each user once per bucket,
-- and the rate of each step to the next.
SELECT
    toUnixTimestamp(bucket) AS t,
    uniqExactIf(user_key, type = 'page_view') AS viewers,
    -- A product view: a product_view event, or a page view its site's URL patterns gave a product_id.
    uniqExactIf(user_key, type = 'product_view' OR (type = 'page_view' AND product_id != '')) AS product_viewers,
    uniqExactIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactIf(user_key, type = 'begin_checkout') AS checkout_starters,
    uniqExactIf(user_key, type = 'purchase') AS purchasers,
    if(viewers = 0, 0, round(product_viewers / viewers, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate
FROM
(
    SELECT
        user_key,
        type,
        product_id,
        -- Hours of the site's time zone (counted_events.utc_offset), as funnel_1h's.
        if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400,
            toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset),
            toStartOfMinute(event_time)) AS bucket
    FROM counted_events
    WHERE site = {site:String} AND is_replay = 0 AND type IN ('page_view', 'product_view', 'add_to_cart', 'begin_checkout', 'purchase')
      -- The site's hour that holds `from` starts at most an hour before it (at :30 UTC in a zone half an
      -- hour off); the one that holds `to` ends at most an hour after.
      AND event_time > {from:DateTime('UTC')} - INTERVAL 1 HOUR
      AND event_time < {to:DateTime('UTC')} + INTERVAL 1 HOUR
      AND (is_late = 0 OR {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400)
      AND session_id IN (SELECT session_id FROM filtered_sessions(site = {site:String}, filter_dim = {filter_dim:String},
          filter_value = {filter_value:String}))
)
-- The buckets that start in the range (minutes), or overlap it (hours), as funnel.sql's.
WHERE if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, bucket > {from:DateTime('UTC')} - INTERVAL 1 HOUR,
    bucket >= {from:DateTime('UTC')})
  AND bucket < {to:DateTime('UTC')}
GROUP BY t
ORDER BY t
