-- The 10 best-selling products of the range: product page views, cart adds and order lines, each
-- event and order once, named from the `products` catalogue. Ranges up to a day sum the minutes that
-- start in the range (clickhouse/ product_minutes); longer ones the hours (clickhouse/ product_hours).
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
    SELECT product_id, sum(views) AS views, sum(cart_adds) AS cart_adds, sum(units) AS units,
        sum(purchases) AS orders
    FROM product_minutes
    WHERE site = {site:String}
      AND minute >= {from:DateTime('UTC')}
      AND minute < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400
    GROUP BY product_id
    UNION ALL
    SELECT product_id, sum(views) AS views, sum(cart_adds) AS cart_adds, sum(units) AS units,
        sum(purchases) AS orders
    FROM product_hours
    WHERE site = {site:String}
      AND hour >= {from:DateTime('UTC')}
      AND hour < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400
    GROUP BY product_id
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
