-- Every delivery of every event, one row each, as parsed from Kafka (003_parse.sql): the raw table.
-- At-least-once delivery means an event can be here more than once (an SDK retry, a Kafka re-read
-- after a lost commit); 005_first_delivery.sql decides which delivery counts, and nothing but
-- ad-hoc SQL and `ingest_minutes` reads this table (the analytics read `counted_events`).
CREATE TABLE IF NOT EXISTS events${LOCAL}
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
TTL toDateTime(event_time) + toIntervalDay(${EVENTS_TTL_DAYS})
-- Wider merges: each merge takes ~10 parts of a size instead of ~5 (default 5), so a row is
-- rewritten about half as often on its way into large parts. During catch-up the merges took a
-- quarter of the processor's CPU; with 10, 2M events caught up at 201-202k events/s instead of
-- 164-184k (loadtest/RESULTS.md, 2026-12-03). 20 measured 223k but leaves more parts for every
-- query to open.
SETTINGS merge_selector_base = 10;

-- Sessions erased on a shopper's request (`deno task erase`, processor/erase.ts), kept while a copy
-- of their events can still arrive: Kafka keeps a topic 7 days, the gates remember 30
-- (005_first_delivery.sql). The parse (003_parse.sql) turns away every delivery of a session listed
-- here, so a copy read after the erasure (a replay, a lost commit, an SDK retry) stores nothing. By
-- session, not by shopper: a shopper who comes back after the erasure starts a new session and counts
-- again. Holds the session ids only (random, not the shopper's ids).
CREATE TABLE IF NOT EXISTS erased_sessions
(
    site LowCardinality(String),
    session_id String,
    erased_at DateTime('UTC') DEFAULT now()
)
ENGINE = ReplacingMergeTree
ORDER BY (site, session_id)
TTL erased_at + toIntervalDay(30);
