-- 021's events_by_id with the first delivery picked column by column instead of as one tuple:
-- `argMin(tuple of 8, tuple of 3)` ran ClickHouse's generic (serialised) aggregate for every event,
-- and every query paid for all 8 columns even when it read 2. Each stamped column is now its own
-- argMin over one UInt128 delivery order (received_at ms, then Kafka partition, then offset: the same
-- order as 021's tuple), so a query computes only the columns it reads, on the fixed-size path.
-- Measured at 10M events of one site (loadtest/RESULTS.md, 2026-12-03): the distinct users of the
-- on-time events took 18.3 s with the tuple and 6.5 s this way; 24-hour funnel_1m 26.9 s before.
-- Same rows as before: the truth tests compare every table against plain TypeScript.
CREATE OR REPLACE VIEW events_by_id AS
SELECT
    site,
    event_id,
    type,
    first_event_time AS event_time,
    first_received_at AS received_at,
    client_ts,
    user_key, anonymous_id, session_id, user_id, url, referrer, title, viewport, language,
    utm_source, utm_medium, utm_campaign, utm_term, utm_content,
    product_id, product_name, category, price, quantity, currency, order_id, revenue, items, props,
    browser,
    os,
    if(first_device_type != '', first_device_type, multiIf(
        toUInt32OrZero(splitByChar('x', viewport)[1]) = 0, 'unknown',
        toUInt32OrZero(splitByChar('x', viewport)[1]) < 768, 'mobile',
        toUInt32OrZero(splitByChar('x', viewport)[1]) < 1100, 'tablet',
        'desktop')) AS device_type,
    is_bot,
    ip_hash,
    country,
    deliveries,
    toUInt8(first_received_at >= toStartOfMinute(first_event_time) + toIntervalSecond(60 + ${LIVE_WATERMARK_S})) AS is_late
FROM
(
    WITH
        -- The order of deliveries: earliest received_at, then Kafka position (partition < 2^16,
        -- offset < 2^48).
        bitShiftLeft(toUInt128(toUnixTimestamp64Milli(received_at)), 64)
            + bitShiftLeft(toUInt128(_partition), 48) + toUInt128(_offset) AS delivery_order
    SELECT
        site,
        event_id,
        type,
        argMin(event_time, delivery_order) AS first_event_time,
        min(received_at) AS first_received_at,
        argMin(browser, delivery_order) AS browser,
        argMin(os, delivery_order) AS os,
        argMin(device_type, delivery_order) AS first_device_type,
        argMin(is_bot, delivery_order) AS is_bot,
        argMin(ip_hash, delivery_order) AS ip_hash,
        argMin(country, delivery_order) AS country,
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
