-- The 10 best-selling products of the range: product views (product_view events, and page views the
-- URL patterns gave a product), cart adds and order lines, each event and order once, named from the
-- `products` catalogue. Ranges up to a day sum the minutes that start in the range (clickhouse/
-- product_minutes); longer ones the hours (product_hours: the site's hours, by their UTC start), read
-- as whole days where the range holds them (product_days: those hours by the UTC day of their start)
-- and hours only before and after those days, so a month reads ~30 days and ~48 hours of products
-- instead of 720 hours of them.
WITH
    {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400 AS long_range,
    -- The whole UTC days of a long range: [days_from, days_to).
    toStartOfDay({from:DateTime('UTC')} + 86399) AS days_from,
    toStartOfDay({to:DateTime('UTC')}) AS days_to
SELECT
    a.product_id AS product_id,
    any(p.name) AS name,
    any(p.category) AS category,
    sum(a.views) AS views,
    sum(a.cart_adds) AS cart_adds,
    sum(a.units) AS units,
    sum(a.orders) AS orders,
    if(views = 0, 0, round(cart_adds / views, 4)) AS view_to_cart_rate
FROM
(
    -- Up to a day: the minutes.
    SELECT product_id, views, cart_adds, units, purchases AS orders
    FROM product_minutes
    WHERE site = {site:String}
      AND minute >= {from:DateTime('UTC')}
      AND minute < {to:DateTime('UTC')}
      AND NOT long_range
    UNION ALL
    -- Longer: the hours before and after the whole days ...
    SELECT product_id, views, cart_adds, units, purchases
    FROM product_hours
    WHERE site = {site:String}
      AND hour >= {from:DateTime('UTC')}
      AND hour < {to:DateTime('UTC')}
      AND (hour < days_from OR hour >= days_to)
      AND long_range
    UNION ALL
    -- ... and the whole days.
    SELECT product_id, views, cart_adds, units, purchases
    FROM product_days
    WHERE site = {site:String}
      AND day >= days_from
      AND day < days_to
      AND long_range
) AS a
LEFT JOIN
(
    -- The catalogue keeps versions (ReplacingMergeTree): the newest of each product, once.
    SELECT id, argMax(name, updated_at) AS name, argMax(category, updated_at) AS category
    FROM products
    GROUP BY id
) AS p ON p.id = a.product_id
GROUP BY a.product_id
ORDER BY units DESC, views DESC, product_id
LIMIT 10
