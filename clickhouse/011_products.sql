-- Products per hour (product_performance, dim_product, the dashboard's top products over long ranges)
-- and per minute (the top products up to a day: grouping a day's counted events by product at each
-- refresh, extracting each page view's product from its URL, took 83 ms of CPU at 10M events). Each
-- event's product touches are written once to `product_touches` (Null), which feeds both tables.

-- One row per product an event touches: a product view, a cart change, and for a purchase each line
-- (units, revenue) and each distinct product once (the order). A product view is a product_view
-- event, or a page view its site's URL patterns gave a product_id (the collector's fallback for shops
-- that cannot add code): both count, so a shop that sends product views turns its patterns off.
CREATE TABLE IF NOT EXISTS product_touches
(
    site LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    user_key String,
    currency String,
    utc_offset Int32,
    a Tuple(product_id String, kind String, quantity UInt32, line_revenue Decimal(18, 2))
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS product_touches_mv TO product_touches AS
SELECT
    site,
    event_time,
    user_key,
    toString(currency) AS currency,
    utc_offset,
    arrayJoin(multiIf(
        type IN ('product_view', 'page_view'),
        [(product_id, 'view', toUInt32(0), toDecimal64(0, 2))],
        type IN ('add_to_cart', 'remove_from_cart'),
        [(product_id, toString(type), toUInt32(0), toDecimal64(0, 2))],
        arrayConcat(
            arrayMap(i -> (i.1, 'order_line', i.2, toDecimal64(i.3 * i.2, 2)), items),
            arrayMap(p -> (p, 'order', toUInt32(0), toDecimal64(0, 2)), arrayDistinct(arrayMap(i -> i.1, items)))))
    ) AS a
FROM counted_events${LOCAL}
WHERE is_replay = 0
    AND (type != 'page_view' OR product_id != '')
    AND type IN ('product_view', 'page_view', 'add_to_cart', 'remove_from_cart', 'purchase');

-- What happened to each product per hour, summed as events are counted: product views, distinct
-- viewers (a mergeable state), cart adds and removes,
-- orders with the product (each order once: a sum over hours stays exact), units and revenue
-- (price × quantity per currency) of its order lines. Late events counted.
CREATE TABLE IF NOT EXISTS product_hours${LOCAL}
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

CREATE MATERIALIZED VIEW IF NOT EXISTS product_hours_mv TO product_hours${LOCAL} AS
SELECT
    site,
    -- The site's hour (counted_events.utc_offset), as its UTC start.
    toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset) AS hour,
    a.product_id AS product_id,
    toUInt64(countIf(a.kind = 'view')) AS views,
    uniqExactStateIf(user_key, a.kind = 'view') AS unique_viewers,
    toUInt64(countIf(a.kind = 'add_to_cart')) AS cart_adds,
    toUInt64(countIf(a.kind = 'remove_from_cart')) AS cart_removes,
    toUInt64(countIf(a.kind = 'order')) AS purchases,
    toUInt64(sumIf(a.quantity, a.kind = 'order_line')) AS units,
    sumMapIf(map(currency, toDecimal128(a.line_revenue, 2)), a.kind = 'order_line') AS revenue
FROM product_touches
GROUP BY site, hour, product_id;

-- Per site, minute and product: the sums of product_hours (no distinct viewers).
CREATE TABLE IF NOT EXISTS product_minutes${LOCAL}
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    product_id String,
    views UInt64,
    cart_adds UInt64,
    purchases UInt64,
    units UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_minutes_mv TO product_minutes${LOCAL} AS
SELECT
    site,
    toStartOfMinute(event_time) AS minute,
    a.product_id AS product_id,
    toUInt64(countIf(a.kind = 'view')) AS views,
    toUInt64(countIf(a.kind = 'add_to_cart')) AS cart_adds,
    toUInt64(countIf(a.kind = 'order')) AS purchases,
    toUInt64(sumIf(a.quantity, a.kind = 'order_line')) AS units
FROM product_touches
GROUP BY site, minute, product_id;

-- The same sums per site, product and UTC day of the hour's start (`hour` is the site's hour by its
-- UTC start), so the dashboard's 7 and 30 days read whole days (~600 products each) and hours only
-- before and after them: 720 hours of products were ~430k rows. Chained from the rows a block adds to
-- product_hours (one per product and hour it touched).
CREATE TABLE IF NOT EXISTS product_days${LOCAL}
(
    site LowCardinality(String),
    day Date,
    product_id String,
    views UInt64,
    cart_adds UInt64,
    purchases UInt64,
    units UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_days_mv TO product_days${LOCAL} AS
SELECT site, toDate(hour) AS day, product_id, sum(views) AS views, sum(cart_adds) AS cart_adds,
    sum(purchases) AS purchases, sum(units) AS units
FROM product_hours${LOCAL}
GROUP BY site, day, product_id;

-- Everything that happened to a product, one row per happening: product views (product_view events
-- and page views with a product_id from the URL patterns), cart adds and removes, and order lines of
-- kept orders.
CREATE VIEW IF NOT EXISTS product_activity AS
SELECT
    site,
    event_time,
    product_id,
    if(type IN ('product_view', 'page_view'), 'view', toString(type)) AS kind,  -- 'view', 'add_to_cart', 'remove_from_cart'
    user_key,
    '' AS order_id,
    toUInt32(0) AS quantity,
    '' AS currency,
    toDecimal64(0, 2) AS line_revenue
FROM events_unique
WHERE type IN ('product_view', 'add_to_cart', 'remove_from_cart')
    OR (type = 'page_view' AND product_id != '')
UNION ALL
SELECT site, event_time, product_id, 'order_line' AS kind, user_key, order_id, quantity, toString(currency) AS currency,
    toDecimal64(line_revenue, 2) AS line_revenue
FROM order_items;

-- Per product and hour, named from the catalogue: see clickhouse/README.md, product_performance.
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
        site, hour, product_id, sum(views) AS views, uniqExactMerge(unique_viewers) AS unique_viewers,
        sum(cart_adds) AS cart_adds, sum(cart_removes) AS cart_removes, sum(purchases) AS purchases,
        sum(units) AS units, sumMap(revenue) AS revenue
    FROM product_hours
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
        site, product_id, sum(views) AS views, uniqExactMerge(unique_viewers) AS unique_viewers,
        sum(cart_adds) AS cart_adds, sum(cart_removes) AS cart_removes, sum(purchases) AS purchases,
        sum(units) AS units, sumMap(revenue) AS revenue
    FROM product_hours
    GROUP BY site, product_id
) AS a
LEFT JOIN (SELECT id, name, category FROM products FINAL) AS p ON p.id = a.product_id;

-- The catalogue with its activity over all sites: see clickhouse/README.md, dim_product.
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
    SELECT product_id, sum(views) AS views, sum(cart_adds) AS cart_adds, sum(purchases) AS orders,
        sum(units) AS units_sold, sumMap(revenue) AS revenue
    FROM product_hours
    GROUP BY product_id
) AS a ON a.product_id = p.id;

-- Revenue per day of the site's time zone, catalogue category and currency, from order lines (price × quantity).
-- A product missing from `products` counts under '(unknown)'. orders: distinct orders with a line
-- in the category. Counts late orders; each order once.
CREATE VIEW IF NOT EXISTS daily_revenue_by_category AS
SELECT
    i.site AS site,
    toDate(i.event_time + toIntervalSecond(i.utc_offset)) AS day,
    if(p.id = '', '(unknown)', toString(p.category)) AS category,
    i.currency AS currency,
    uniqExact(i.order_id) AS orders,
    sum(i.quantity) AS units,
    sum(i.line_revenue) AS revenue
FROM order_items AS i
LEFT JOIN (SELECT id, category FROM products FINAL) AS p ON p.id = i.product_id
GROUP BY site, day, category, currency;
