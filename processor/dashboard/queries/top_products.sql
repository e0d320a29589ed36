-- The 10 best-selling products of the range: product page views and cart adds (each event_id
-- once), and units and orders from purchases (each order_id once, its items fanned out).
WITH
    seen AS
    (
        SELECT
            product_id,
            countIf(type = 'page_view') AS views,
            countIf(type = 'add_to_cart') AS cart_adds,
            anyIf(product_name, product_name != '') AS name,
            anyIf(category, category != '') AS category
        FROM
        (
            -- A product page view names its product in the URL (/products/<id>), as in
            -- clickhouse/ product_performance.
            SELECT
                event_id,
                type,
                if(type = 'page_view' AND product_id = '',
                   decodeURLComponent(extract(url, '/products/([^/?#]+)')), product_id) AS product_id,
                product_name,
                category
            FROM events
            WHERE site = {site:String}
              AND type IN ('page_view', 'add_to_cart')
              AND event_time >= {from:DateTime('UTC')}
              AND event_time < {to:DateTime('UTC')}
            LIMIT 1 BY event_id
        )
        WHERE product_id != ''
        GROUP BY product_id
    ),
    sold AS
    (
        SELECT item.product_id AS product_id, sum(item.quantity) AS units, uniqExact(order_id) AS orders
        FROM
        (
            SELECT order_id, argMin(items, event_time) AS items
            FROM events
            WHERE site = {site:String}
              AND type = 'purchase'
              AND event_time >= {from:DateTime('UTC')}
              AND event_time < {to:DateTime('UTC')}
            GROUP BY order_id
        )
        ARRAY JOIN items AS item
        GROUP BY product_id
    )
SELECT
    if(seen.product_id != '', seen.product_id, sold.product_id) AS product_id,
    seen.name AS name,
    seen.category AS category,
    seen.views AS views,
    seen.cart_adds AS cart_adds,
    sold.units AS units,
    sold.orders AS orders,
    if(seen.views = 0, 0, round(seen.cart_adds / seen.views, 4)) AS view_to_cart_rate
FROM seen
FULL OUTER JOIN sold ON seen.product_id = sold.product_id
ORDER BY units DESC, views DESC, product_id
LIMIT 10
