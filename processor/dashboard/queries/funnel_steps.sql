-- The funnel over the whole range, for its bar chart: users at each step (page view → product view →
-- add to cart → begin checkout → purchase), each user once however many buckets they were active in,
-- late events counted, over the minutes (up to a day) or hours that start in the range (clickhouse/
-- 016_visits.sql: visit_minutes, visit_hours and visit_days, dimension 'step': distinct users as
-- uniqCombined(12) states, exact for small counts and within ~1.6 % beyond; a month of exact states took
-- seconds to merge at 10M events). With `?filter=`: filtered_funnel_steps.sql. Rates are fractions of the
-- step before.
WITH if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, 3600, 60) AS step
SELECT
    sumIf(visitors, value = 'viewers') AS viewers,
    sumIf(visitors, value = 'product_viewers') AS product_viewers,
    sumIf(visitors, value = 'carters') AS carters,
    sumIf(visitors, value = 'checkout_starters') AS checkout_starters,
    sumIf(visitors, value = 'purchasers') AS purchasers,
    if(viewers = 0, 0, round(product_viewers / viewers, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate,
    if(viewers = 0, 0, round(purchasers / viewers, 4)) AS conversion_rate
FROM (
    SELECT dimension, value, uniqCombinedMerge(12)(visitors) AS visitors,
        uniqCombinedMerge(12)(purchasers) AS purchasers, sum(visits) AS visits, sum(page_views) AS page_views,
        sum(orders) AS orders, sumMap(revenue) AS revenue
    FROM
    (
        -- The range's breakdown rows, flat over the tables (through a parameterized view every call cost
        -- ~30-40 ms more than its read): one pair of branches reads, the other's constant condition is false.
        -- Up to a day: the range's whole hours, and the minutes of the hours it covers in part.
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_hours
        WHERE site = {site:String} AND dimension IN ['step'] AND step = 60
          AND bucket >= {from:DateTime('UTC')} AND bucket + INTERVAL 1 HOUR <= {to:DateTime('UTC')}
        UNION ALL
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_minutes
        WHERE site = {site:String} AND dimension IN ['step'] AND step = 60
          AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
          AND (toStartOfHour(bucket) < {from:DateTime('UTC')}
               OR toStartOfHour(bucket) + INTERVAL 1 HOUR > {to:DateTime('UTC')})
        UNION ALL
        -- Beyond a day: the range's whole days, and the hours of the days it covers in part.
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_days
        WHERE site = {site:String} AND dimension IN ['step'] AND step = 3600
          AND bucket >= {from:DateTime('UTC')} AND bucket + INTERVAL 1 DAY <= {to:DateTime('UTC')}
        UNION ALL
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_hours
        WHERE site = {site:String} AND dimension IN ['step'] AND step = 3600
          AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
          AND (toStartOfDay(bucket) < {from:DateTime('UTC')}
               OR toStartOfDay(bucket) + INTERVAL 1 DAY > {to:DateTime('UTC')})
    )
    GROUP BY dimension, value
)
