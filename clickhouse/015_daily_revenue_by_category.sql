-- Revenue per UTC day, catalogue category and currency, from order lines (price × quantity).
-- A product missing from `products` counts under '(unknown)'. orders: distinct orders with a line
-- in the category. Counts late orders; each order once.
CREATE VIEW IF NOT EXISTS daily_revenue_by_category AS
SELECT
    i.site AS site,
    toDate(i.event_time) AS day,
    if(p.id = '', '(unknown)', toString(p.category)) AS category,
    i.currency AS currency,
    uniqExact(i.order_id) AS orders,
    sum(i.quantity) AS units,
    sum(i.line_revenue) AS revenue
FROM order_items AS i
LEFT JOIN (SELECT id, category FROM products FINAL) AS p ON p.id = i.product_id
GROUP BY site, day, category, currency;
