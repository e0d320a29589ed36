-- The deduplicated reading of 002, reshaped so a query's filter on `site` and `type` reaches the
-- `events` primary key (site, type, ...) instead of waiting for a whole-history GROUP BY:
-- - `type` is part of the event's identity (copies of an event are the same event, so of the same
--   type), which lets ClickHouse push `type = ...` below the GROUP BY;
-- - `events_unique` picks each order's kept purchase with LIMIT 1 BY instead of `IN (SELECT ...
--   FROM orders)`, a subquery that no outer filter reaches and that deduplicated every site's
--   purchases on every query.
-- Same rows as before: the truth tests compare every table against plain TypeScript.
CREATE OR REPLACE VIEW events_by_id AS
SELECT
    site,
    event_id,
    type,
    first.1 AS event_time,
    first.2 AS received_at,
    client_ts,
    user_key, anonymous_id, session_id, user_id, url, referrer, title, viewport, language,
    utm_source, utm_medium, utm_campaign, utm_term, utm_content,
    product_id, product_name, category, price, quantity, currency, order_id, revenue, items, props,
    first.3 AS browser,
    first.4 AS os,
    if(first.5 != '', first.5, multiIf(
        toUInt32OrZero(splitByChar('x', viewport)[1]) = 0, 'unknown',
        toUInt32OrZero(splitByChar('x', viewport)[1]) < 768, 'mobile',
        toUInt32OrZero(splitByChar('x', viewport)[1]) < 1100, 'tablet',
        'desktop')) AS device_type,
    first.6 AS is_bot,
    first.7 AS ip_hash,
    first.8 AS country,
    deliveries,
    toUInt8(first.2 >= toStartOfMinute(first.1) + toIntervalSecond(60 + ${LIVE_WATERMARK_S})) AS is_late
FROM
(
    SELECT
        site,
        event_id,
        type,
        argMin(
            (event_time, received_at, browser, os, device_type, is_bot, ip_hash, country),
            (received_at, _partition, _offset)
        ) AS first,
        any(client_ts) AS client_ts, any(user_key) AS user_key,
        any(anonymous_id) AS anonymous_id, any(session_id) AS session_id, any(user_id) AS user_id,
        any(url) AS url, any(referrer) AS referrer, any(title) AS title, any(viewport) AS viewport,
        any(language) AS language, any(utm_source) AS utm_source, any(utm_medium) AS utm_medium,
        any(utm_campaign) AS utm_campaign, any(utm_term) AS utm_term, any(utm_content) AS utm_content,
        any(product_id) AS product_id, any(product_name) AS product_name, any(category) AS category,
        any(price) AS price, any(quantity) AS quantity, any(currency) AS currency,
        any(order_id) AS order_id, any(revenue) AS revenue, any(items) AS items, any(props) AS props,
        count() AS deliveries
    FROM events
    GROUP BY site, event_id, type
);

CREATE OR REPLACE VIEW events_unique AS
SELECT *
FROM events_by_id
WHERE type != 'purchase'
UNION ALL
SELECT *
FROM
(
    -- The purchase `orders` keeps for each order: earliest client timestamp, then smallest event_id.
    SELECT *
    FROM events_by_id
    WHERE type = 'purchase'
    ORDER BY site, order_id, client_ts, event_id
    LIMIT 1 BY site, order_id
);
