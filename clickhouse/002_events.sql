-- Every delivered event, one row per Kafka message, typed: the raw table all analytics derive
-- from. At-least-once delivery means an event can be here more than once (an SDK retry, a Kafka
-- redelivery after a failed commit); the views at the end of this file read it deduplicated.
CREATE TABLE IF NOT EXISTS events
(
    event_id String,
    type LowCardinality(String),
    site LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    client_ts DateTime64(3, 'UTC'),
    received_at DateTime64(3, 'UTC'),
    -- Who did it: the signed-in id when known, else the browser's anonymous id, else the session
    -- (consent withheld: the SDK sends no anonymous id).
    user_key String,
    anonymous_id String,
    session_id String,
    user_id String,
    url String,
    referrer String,
    title String,
    viewport LowCardinality(String),
    language LowCardinality(String),
    utm_source LowCardinality(String),
    utm_medium LowCardinality(String),
    utm_campaign String,
    utm_term String,
    utm_content String,
    product_id String,
    product_name String,
    category LowCardinality(String),
    price Decimal(18, 2),
    quantity UInt32,
    currency LowCardinality(String),
    order_id String,
    revenue Decimal(18, 2),
    items Array(Tuple(product_id String, quantity UInt32, price Decimal(18, 2))),
    props String,
    -- From the collector's enrichment; '' or 0 when the collector did not send them.
    browser LowCardinality(String),
    os LowCardinality(String),
    device_type LowCardinality(String),
    is_bot UInt8,
    ip_hash String,
    country LowCardinality(String),
    -- Where the row came from in Kafka: lets a replay or a double delivery be traced.
    _partition UInt32,
    _offset UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(event_time)
-- Site first (every query filters on it), then type (funnels read one type at a time), then time.
ORDER BY (site, type, event_time, event_id)
-- Raw events are kept EVENTS_TTL_DAYS days; the broker keeps the topic for replay meanwhile.
TTL toDateTime(event_time) + toIntervalDay(${EVENTS_TTL_DAYS});

-- The only view on the Kafka table that writes analytics data: everything else is computed from
-- `events` when queried, so ingestion costs one parse and one MergeTree insert per block, and no
-- aggregate view can fail a block and stall consumption (see README, "Why views").
CREATE MATERIALIZED VIEW IF NOT EXISTS events_mv TO events AS
SELECT
    event_id,
    type,
    site,
    fromUnixTimestamp64Milli(toInt64(event_time), 'UTC') AS event_time,
    fromUnixTimestamp64Milli(toInt64(ts), 'UTC') AS client_ts,
    fromUnixTimestamp64Milli(toInt64(received_at), 'UTC') AS received_at,
    coalesce(nullIf(user_id, ''), nullIf(anonymous_id, ''), session_id) AS user_key,
    anonymous_id, session_id, user_id, url, referrer, title, viewport, language,
    utm_source, utm_medium, utm_campaign, utm_term, utm_content,
    product_id, product_name, category, price, quantity, currency, order_id, revenue, items, props,
    browser, os, device_type, is_bot, ip_hash, country,
    _partition, _offset
FROM kafka_events
WHERE length(_error) = 0;

-- One row per (site, event_id). Copies of an event differ only in what was stamped on each
-- delivery (received_at, the skew-corrected event_time, enrichment, Kafka position); the first
-- delivery (earliest received_at, then Kafka position) decides them. An event is late when that
-- first delivery arrived after its minute closed plus the watermark: the live views leave it out
-- and `late_events` lists it.
CREATE VIEW IF NOT EXISTS events_by_id AS
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
    -- The collector's device type; without one (older collector), guessed from the viewport width.
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
        argMin(
            (event_time, received_at, browser, os, device_type, is_bot, ip_hash, country),
            (received_at, _partition, _offset)
        ) AS first,
        any(type) AS type, any(client_ts) AS client_ts, any(user_key) AS user_key,
        any(anonymous_id) AS anonymous_id, any(session_id) AS session_id, any(user_id) AS user_id,
        any(url) AS url, any(referrer) AS referrer, any(title) AS title, any(viewport) AS viewport,
        any(language) AS language, any(utm_source) AS utm_source, any(utm_medium) AS utm_medium,
        any(utm_campaign) AS utm_campaign, any(utm_term) AS utm_term, any(utm_content) AS utm_content,
        any(product_id) AS product_id, any(product_name) AS product_name, any(category) AS category,
        any(price) AS price, any(quantity) AS quantity, any(currency) AS currency,
        any(order_id) AS order_id, any(revenue) AS revenue, any(items) AS items, any(props) AS props,
        count() AS deliveries
    FROM events
    GROUP BY site, event_id
);

-- One row per (site, order_id): of the purchase events carrying an order id (a thank-you page
-- reload fires another with a new event_id), the one with the earliest client timestamp, then the
-- smallest event_id. Order-level money comes from its `revenue`; units from its items.
CREATE VIEW IF NOT EXISTS orders AS
SELECT
    site,
    order_id,
    kept.1 AS event_id,
    kept.2 AS event_time,
    kept.3 AS received_at,
    kept.4 AS is_late,
    kept.5 AS user_key,
    kept.6 AS session_id,
    kept.7 AS currency,
    kept.8 AS revenue,
    kept.9 AS items,
    toUInt64(arraySum(i -> tupleElement(i, 2), kept.9)) AS units,
    purchase_events  -- how many distinct purchase events named this order (1 unless replayed)
FROM
(
    SELECT
        site,
        order_id,
        argMin(
            (event_id, event_time, received_at, is_late, user_key, session_id, currency, revenue, items),
            (client_ts, event_id)
        ) AS kept,
        count() AS purchase_events
    FROM events_by_id
    WHERE type = 'purchase'
    GROUP BY site, order_id
);

-- Each order line: the kept purchase's items, one row each, with the line's money.
CREATE VIEW IF NOT EXISTS order_items AS
SELECT
    site,
    order_id,
    event_time,
    is_late,
    user_key,
    currency,
    tupleElement(item, 1) AS product_id,
    tupleElement(item, 2) AS quantity,
    tupleElement(item, 3) AS price,
    tupleElement(item, 3) * tupleElement(item, 2) AS line_revenue
FROM orders
ARRAY JOIN items AS item;

-- Every event once: deduplicated on event_id, and of the purchases only each order's kept one.
-- The analytics views read this (or `orders`), never `events` directly.
CREATE VIEW IF NOT EXISTS events_unique AS
SELECT *
FROM events_by_id
WHERE type != 'purchase' OR (site, event_id) IN (SELECT site, event_id FROM orders);
