-- Everything that happened to a product, one row per happening: product page views (the product
-- id read from /products/{id} in the URL), cart adds and removes, and order lines of kept orders.
CREATE VIEW IF NOT EXISTS product_activity AS
SELECT
    site,
    event_time,
    if(type = 'page_view', decodeURLComponent(extract(url, '/products/([^/?#]+)')), product_id) AS product_id,
    toString(type) AS kind,     -- 'page_view', 'add_to_cart', 'remove_from_cart'
    user_key,
    '' AS order_id,
    toUInt32(0) AS quantity,
    '' AS currency,
    toDecimal64(0, 2) AS line_revenue
FROM events_unique
WHERE type IN ('add_to_cart', 'remove_from_cart')
    OR (type = 'page_view' AND extract(url, '/products/([^/?#]+)') != '')
UNION ALL
SELECT site, event_time, product_id, 'order_line' AS kind, user_key, order_id, quantity, toString(currency) AS currency,
    toDecimal64(line_revenue, 2) AS line_revenue
FROM order_items;

-- Per product and hour; name and category from the catalogue (`products`, '' when unknown).
-- views: product page views; unique_viewers: distinct users who viewed; purchases: orders with
-- the product; units and revenue (Map(currency, amount), price × quantity) from those order lines.
-- Rates: cart_adds / views and purchases / cart_adds. Counts late events.
CREATE VIEW IF NOT EXISTS product_performance_hourly AS
SELECT
    a.site AS site,
    a.hour AS hour,
    a.product_id AS product_id,
    p.name AS name,
    p.category AS category,
    a.views AS views,
    a.unique_viewers AS unique_viewers,
    a.cart_adds AS cart_adds,
    a.cart_removes AS cart_removes,
    a.purchases AS purchases,
    a.units AS units,
    a.revenue AS revenue,
    if(a.views = 0, 0, round(a.cart_adds / a.views, 4)) AS view_to_cart_rate,
    if(a.cart_adds = 0, 0, round(a.purchases / a.cart_adds, 4)) AS cart_to_purchase_rate
FROM
(
    SELECT
        site,
        toStartOfHour(event_time) AS hour,
        product_id,
        countIf(kind = 'page_view') AS views,
        uniqExactIf(user_key, kind = 'page_view') AS unique_viewers,
        countIf(kind = 'add_to_cart') AS cart_adds,
        countIf(kind = 'remove_from_cart') AS cart_removes,
        uniqExactIf(order_id, kind = 'order_line') AS purchases,
        sumIf(quantity, kind = 'order_line') AS units,
        sumMapIf(map(currency, line_revenue), kind = 'order_line') AS revenue
    FROM product_activity
    GROUP BY site, hour, product_id
) AS a
LEFT JOIN (SELECT id, name, category FROM products FINAL) AS p ON p.id = a.product_id;

-- The same per product over all time.
CREATE VIEW IF NOT EXISTS product_performance AS
SELECT
    a.site AS site,
    a.product_id AS product_id,
    p.name AS name,
    p.category AS category,
    a.views AS views,
    a.unique_viewers AS unique_viewers,
    a.cart_adds AS cart_adds,
    a.cart_removes AS cart_removes,
    a.purchases AS purchases,
    a.units AS units,
    a.revenue AS revenue,
    if(a.views = 0, 0, round(a.cart_adds / a.views, 4)) AS view_to_cart_rate,
    if(a.cart_adds = 0, 0, round(a.purchases / a.cart_adds, 4)) AS cart_to_purchase_rate
FROM
(
    SELECT
        site,
        product_id,
        countIf(kind = 'page_view') AS views,
        uniqExactIf(user_key, kind = 'page_view') AS unique_viewers,
        countIf(kind = 'add_to_cart') AS cart_adds,
        countIf(kind = 'remove_from_cart') AS cart_removes,
        uniqExactIf(order_id, kind = 'order_line') AS purchases,
        sumIf(quantity, kind = 'order_line') AS units,
        sumMapIf(map(currency, line_revenue), kind = 'order_line') AS revenue
    FROM product_activity
    GROUP BY site, product_id
) AS a
LEFT JOIN (SELECT id, name, category FROM products FINAL) AS p ON p.id = a.product_id;
