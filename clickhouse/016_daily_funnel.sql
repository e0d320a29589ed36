-- The funnel per UTC day in distinct users: visitors (any page view), product viewers (a
-- /products/ page), carters, purchasers; plus sessions and orders. Rates are carters /
-- product_viewers, purchasers / carters and purchasers / visitors. Counts late events.
CREATE VIEW IF NOT EXISTS daily_funnel AS
SELECT
    site,
    day,
    visitors,
    sessions,
    product_viewers,
    carters,
    purchasers,
    orders,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS view_to_cart_rate,
    if(carters = 0, 0, round(purchasers / carters, 4)) AS cart_to_purchase_rate,
    if(visitors = 0, 0, round(purchasers / visitors, 4)) AS conversion_rate
FROM
(
    SELECT
        site,
        toDate(event_time) AS day,
        uniqExactIf(user_key, type = 'page_view') AS visitors,
        uniqExact(session_id) AS sessions,
        uniqExactIf(user_key, type = 'page_view' AND extract(url, '/products/([^/?#]+)') != '') AS product_viewers,
        uniqExactIf(user_key, type = 'add_to_cart') AS carters,
        uniqExactIf(user_key, type = 'purchase') AS purchasers,
        countIf(type = 'purchase') AS orders
    FROM events_unique
    GROUP BY site, day
);
