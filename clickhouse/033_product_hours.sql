-- What happened to each product per hour, summed as events are counted (030): product page views
-- (the id read from /products/{id}), distinct viewers (a mergeable state), cart adds and removes,
-- orders with the product (each order once: a sum over hours stays exact), units and revenue
-- (price × quantity per currency) of its order lines. Late events counted.
CREATE TABLE IF NOT EXISTS product_hours
(
    site LowCardinality(String),
    hour DateTime('UTC'),
    product_id String,
    views SimpleAggregateFunction(sum, UInt64),
    unique_viewers AggregateFunction(uniqExact, String),
    cart_adds SimpleAggregateFunction(sum, UInt64),
    cart_removes SimpleAggregateFunction(sum, UInt64),
    purchases SimpleAggregateFunction(sum, UInt64),
    units SimpleAggregateFunction(sum, UInt64),
    revenue SimpleAggregateFunction(sumMap, Map(String, Decimal(38, 2)))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_hours_mv TO product_hours AS
SELECT
    site,
    hour,
    a.1 AS product_id,
    toUInt64(countIf(a.2 = 'page_view')) AS views,
    uniqExactStateIf(user_key, a.2 = 'page_view') AS unique_viewers,
    toUInt64(countIf(a.2 = 'add_to_cart')) AS cart_adds,
    toUInt64(countIf(a.2 = 'remove_from_cart')) AS cart_removes,
    toUInt64(countIf(a.2 = 'order')) AS purchases,
    toUInt64(sumIf(a.3, a.2 = 'order_line')) AS units,
    sumMapIf(map(currency, toDecimal128(a.4, 2)), a.2 = 'order_line') AS revenue
FROM
(
    SELECT
        site,
        toStartOfHour(event_time) AS hour,
        user_key,
        toString(currency) AS currency,
        -- One row per product an event touches: a product page view, a cart change, and for a
        -- purchase each line (units, revenue) and each distinct product once (the order).
        arrayJoin(multiIf(
            type = 'page_view',
            [(decodeURLComponent(extract(url, '/products/([^/?#]+)')), 'page_view', toUInt32(0), toDecimal64(0, 2))],
            type IN ('add_to_cart', 'remove_from_cart'),
            [(product_id, toString(type), toUInt32(0), toDecimal64(0, 2))],
            arrayConcat(
                arrayMap(i -> (i.1, 'order_line', i.2, toDecimal64(i.3 * i.2, 2)), items),
                arrayMap(p -> (p, 'order', toUInt32(0), toDecimal64(0, 2)), arrayDistinct(arrayMap(i -> i.1, items)))))
        ) AS a
    FROM counted_events
    WHERE is_replay = 0
        AND (type != 'page_view' OR extract(url, '/products/([^/?#]+)') != '')
        AND type IN ('page_view', 'add_to_cart', 'remove_from_cart', 'purchase')
)
GROUP BY site, hour, product_id;

-- Per product and hour, named from the catalogue: see clickhouse/README.md, product_performance.
CREATE OR REPLACE VIEW product_performance_hourly AS
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
        site, hour, product_id, sum(views) AS views, uniqExactMerge(unique_viewers) AS unique_viewers,
        sum(cart_adds) AS cart_adds, sum(cart_removes) AS cart_removes, sum(purchases) AS purchases,
        sum(units) AS units, sumMap(revenue) AS revenue
    FROM product_hours
    GROUP BY site, hour, product_id
) AS a
LEFT JOIN (SELECT id, name, category FROM products FINAL) AS p ON p.id = a.product_id;

-- The same per product over all time.
CREATE OR REPLACE VIEW product_performance AS
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
        site, product_id, sum(views) AS views, uniqExactMerge(unique_viewers) AS unique_viewers,
        sum(cart_adds) AS cart_adds, sum(cart_removes) AS cart_removes, sum(purchases) AS purchases,
        sum(units) AS units, sumMap(revenue) AS revenue
    FROM product_hours
    GROUP BY site, product_id
) AS a
LEFT JOIN (SELECT id, name, category FROM products FINAL) AS p ON p.id = a.product_id;

-- The catalogue with its activity over all sites: see clickhouse/README.md, dim_product.
CREATE OR REPLACE VIEW dim_product AS
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
    SELECT product_id, sum(views) AS views, sum(cart_adds) AS cart_adds, sum(purchases) AS orders,
        sum(units) AS units_sold, sumMap(revenue) AS revenue
    FROM product_hours
    GROUP BY product_id
) AS a ON a.product_id = p.id;
