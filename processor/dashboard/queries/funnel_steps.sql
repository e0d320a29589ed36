-- The funnel over the whole range, for its bar chart: distinct users at each step (page view → product
-- view → add to cart → begin checkout → purchase), each user once however many buckets they were active
-- in, late events counted. Up to a day from the minutes' states (clickhouse/ funnel_minutes), beyond
-- from the hours' (traffic_hours), over the buckets that start in the range. With `?filter=`, the filtered visits'
-- counted events (clickhouse/ filtered_sessions). Rates are fractions of the step before.
SELECT
    uniqExactMerge(viewers) AS viewers,
    uniqExactMerge(product_viewers) AS product_viewers,
    uniqExactMerge(carters) AS carters,
    uniqExactMerge(checkout_starters) AS checkout_starters,
    uniqExactMerge(purchasers) AS purchasers,
    if(viewers = 0, 0, round(product_viewers / viewers, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate,
    if(viewers = 0, 0, round(purchasers / viewers, 4)) AS conversion_rate
FROM
(
    SELECT viewers, product_viewers, carters, checkout_starters, purchasers
    FROM funnel_minutes
    WHERE site = {site:String}
      AND minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400 AND {filter_dim:String} = ''
    UNION ALL
    SELECT visitors AS viewers, product_viewers, carters, checkout_starters, purchasers
    FROM traffic_hours
    WHERE site = {site:String}
      AND hour >= {from:DateTime('UTC')} AND hour < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400 AND {filter_dim:String} = ''
    UNION ALL
    SELECT
        uniqExactStateIf(user_key, type = 'page_view') AS viewers,
        uniqExactStateIf(user_key, type = 'product_view' OR (type = 'page_view' AND product_id != '')) AS product_viewers,
        uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
        uniqExactStateIf(user_key, type = 'begin_checkout') AS checkout_starters,
        uniqExactStateIf(user_key, type = 'purchase') AS purchasers
    FROM counted_events
    WHERE site = {site:String} AND is_replay = 0 AND {filter_dim:String} != ''
      -- A bound the primary key can use (a zone's hour starts at most 14 hours from UTC's) ...
      AND event_time >= {from:DateTime('UTC')} - INTERVAL 1 DAY AND event_time < {to:DateTime('UTC')} + INTERVAL 1 DAY
      -- ... then the buckets the unfiltered branches read: minutes, or the site's hours (traffic_hours').
      AND if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400,
              toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset),
              toStartOfMinute(event_time)) >= {from:DateTime('UTC')}
      AND if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400,
              toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset),
              toStartOfMinute(event_time)) < {to:DateTime('UTC')}
      AND session_id IN (SELECT session_id FROM filtered_sessions(site = {site:String}, filter_dim = {filter_dim:String},
          filter_value = {filter_value:String}))
)
