-- How visits arrived: referrer domain ('(direct)' without one), then UTM source, medium and campaign ('(none)' untagged), the 10 best of each, over the range (clickhouse/016_visits.sql, visit_minutes, visit_hours and visit_days: a visit is credited to its first event's values).
-- Per value: distinct visitors, visits started, page views, conversion rate (purchasers / visitors),
-- orders and revenue per currency. `?filter=` runs filtered_sources.sql.
WITH if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, 3600, 60) AS step
SELECT
    dimension,
    value,
    visitors,
    visits,
    page_views,
    if(visitors = 0, 0, round(purchasers / visitors, 4)) AS conversion_rate,
    orders,
    revenue
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
        WHERE site = {site:String} AND dimension IN ['source', 'utm_source', 'utm_medium', 'utm_campaign'] AND step = 60
          AND bucket >= {from:DateTime('UTC')} AND bucket + INTERVAL 1 HOUR <= {to:DateTime('UTC')}
        UNION ALL
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_minutes
        WHERE site = {site:String} AND dimension IN ['source', 'utm_source', 'utm_medium', 'utm_campaign'] AND step = 60
          AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
          AND (toStartOfHour(bucket) < {from:DateTime('UTC')}
               OR toStartOfHour(bucket) + INTERVAL 1 HOUR > {to:DateTime('UTC')})
        UNION ALL
        -- Beyond a day: the range's whole days, and the hours of the days it covers in part.
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_days
        WHERE site = {site:String} AND dimension IN ['source', 'utm_source', 'utm_medium', 'utm_campaign'] AND step = 3600
          AND bucket >= {from:DateTime('UTC')} AND bucket + INTERVAL 1 DAY <= {to:DateTime('UTC')}
        UNION ALL
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_hours
        WHERE site = {site:String} AND dimension IN ['source', 'utm_source', 'utm_medium', 'utm_campaign'] AND step = 3600
          AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
          AND (toStartOfDay(bucket) < {from:DateTime('UTC')}
               OR toStartOfDay(bucket) + INTERVAL 1 DAY > {to:DateTime('UTC')})
    )
    GROUP BY dimension, value
)
ORDER BY dimension, visitors DESC, visits DESC, value
LIMIT 10 BY dimension
