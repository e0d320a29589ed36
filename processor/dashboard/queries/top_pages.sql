-- The 20 most visited pages of the range (clickhouse/016_visits.sql: visit_minutes, visit_hours,
-- visit_days, visit_exits): distinct visitors and page views of each page, the visits that entered on it
-- and those that left from it (their newest page view), and the conversion rate (purchasers / visitors)
-- and revenue per currency of the visits that entered on it. `?filter=` runs filtered_top_pages.sql.
WITH if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, 3600, 60) AS step
SELECT
    b.value AS page,
    sumIf(b.visitors, b.dimension = 'page') AS visitors,
    sumIf(b.page_views, b.dimension = 'page') AS page_views,
    sumIf(b.visits, b.dimension = 'entry') AS entries,
    any(x.exits) AS exits,
    if(sumIf(b.visitors, b.dimension = 'entry') = 0, 0,
       round(sumIf(b.purchasers, b.dimension = 'entry') / sumIf(b.visitors, b.dimension = 'entry'), 4))
        AS conversion_rate,
    sumMapIf(b.revenue, b.dimension = 'entry') AS revenue
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
        WHERE site = {site:String} AND dimension IN ['page', 'entry'] AND step = 60
          AND bucket >= {from:DateTime('UTC')} AND bucket + INTERVAL 1 HOUR <= {to:DateTime('UTC')}
        UNION ALL
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_minutes
        WHERE site = {site:String} AND dimension IN ['page', 'entry'] AND step = 60
          AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
          AND (toStartOfHour(bucket) < {from:DateTime('UTC')}
               OR toStartOfHour(bucket) + INTERVAL 1 HOUR > {to:DateTime('UTC')})
        UNION ALL
        -- Beyond a day: the range's whole days, and the hours of the days it covers in part.
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_days
        WHERE site = {site:String} AND dimension IN ['page', 'entry'] AND step = 3600
          AND bucket >= {from:DateTime('UTC')} AND bucket + INTERVAL 1 DAY <= {to:DateTime('UTC')}
        UNION ALL
        SELECT dimension, value, visitors, purchasers, visits, page_views, orders, revenue
        FROM visit_hours
        WHERE site = {site:String} AND dimension IN ['page', 'entry'] AND step = 3600
          AND bucket >= {from:DateTime('UTC')} AND bucket < {to:DateTime('UTC')}
          AND (toStartOfDay(bucket) < {from:DateTime('UTC')}
               OR toStartOfDay(bucket) + INTERVAL 1 DAY > {to:DateTime('UTC')})
    )
    GROUP BY dimension, value
) AS b
LEFT JOIN
(
    -- Visits by exit page whose newest page view falls in the range's minutes (hours past a day).
    SELECT page, toUInt64(sum(exits)) AS exits
    FROM visit_exits
    WHERE site = {site:String}
      AND toStartOfInterval(minute, toIntervalSecond(step)) >= {from:DateTime('UTC')}
      AND toStartOfInterval(minute, toIntervalSecond(step)) < {to:DateTime('UTC')}
    GROUP BY page
    HAVING exits > 0
) AS x ON x.page = b.value
GROUP BY page
HAVING visitors > 0
ORDER BY visitors DESC, page_views DESC, page
LIMIT 20
