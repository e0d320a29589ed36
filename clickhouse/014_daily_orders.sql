-- Orders per UTC day (of the order's event time) and currency. Each order once (deduplicated on
-- order_id); late orders count on the day they happened. aov = revenue / orders, rounded half away
-- from zero to the cent. late_orders: how many of them arrived after the live windows closed.
CREATE VIEW IF NOT EXISTS daily_orders AS
SELECT
    site,
    toDate(event_time) AS day,
    currency,
    count() AS orders,
    sum(revenue) AS revenue,
    sum(units) AS units,
    round(toDecimal128(revenue, 6) / orders, 2) AS aov,
    countIf(is_late = 1) AS late_orders
FROM orders
GROUP BY site, day, currency;
