-- Every valid event, one row each, typed. The raw table all analytics derive from.
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
    -- Where the row came from in Kafka: lets a replay or a double delivery be traced.
    _partition UInt32,
    _offset UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (site, type, event_time, event_id);

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
    _partition, _offset
FROM kafka_events
WHERE length(_error) = 0;
