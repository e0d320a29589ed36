-- The 10 best-selling products of the range from clickhouse/ product_activity (product page views,
-- cart adds and order lines, each event and order once), named from the `products` catalogue.
SELECT
    a.product_id AS product_id,
    any(p.name) AS name,
    any(p.category) AS category,
    countIf(a.kind = 'page_view') AS views,
    countIf(a.kind = 'add_to_cart') AS cart_adds,
    sumIf(a.quantity, a.kind = 'order_line') AS units,
    uniqExactIf(a.order_id, a.kind = 'order_line') AS orders,
    if(views = 0, 0, round(cart_adds / views, 4)) AS view_to_cart_rate
FROM product_activity AS a
LEFT JOIN
(
    -- The catalogue keeps versions (ReplacingMergeTree): the newest of each product, once.
    SELECT id, argMax(name, updated_at) AS name, argMax(category, updated_at) AS category
    FROM products
    GROUP BY id
) AS p ON p.id = a.product_id
WHERE a.site = {site:String}
  AND a.event_time >= {from:DateTime('UTC')}
  AND a.event_time < {to:DateTime('UTC')}
GROUP BY a.product_id
ORDER BY units DESC, views DESC, product_id
LIMIT 10
