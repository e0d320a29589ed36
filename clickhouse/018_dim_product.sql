-- The catalogue (every product in `products`, sold or not) with its activity over all sites:
-- product page views, cart adds, orders with it, units sold and revenue (Map(currency, amount),
-- price × quantity). Counts late events; each event and order once.
CREATE VIEW IF NOT EXISTS dim_product AS
SELECT
    p.id AS product_id,
    p.name AS name,
    p.category AS category,
    p.price AS price,
    a.views AS views,
    a.cart_adds AS cart_adds,
    a.orders AS orders,
    a.units_sold AS units_sold,
    a.revenue AS revenue
FROM (SELECT id, name, category, price FROM products FINAL) AS p
LEFT JOIN
(
    SELECT
        product_id,
        countIf(kind = 'page_view') AS views,
        countIf(kind = 'add_to_cart') AS cart_adds,
        uniqExactIf((site, order_id), kind = 'order_line') AS orders,
        sumIf(quantity, kind = 'order_line') AS units_sold,
        sumMapIf(map(currency, line_revenue), kind = 'order_line') AS revenue
    FROM product_activity
    GROUP BY product_id
) AS a ON a.product_id = p.id;
