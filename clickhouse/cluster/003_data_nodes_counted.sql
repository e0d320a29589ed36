-- Data nodes: the first-delivery gates and the aggregates of clickhouse/029-033, run on each shard
-- from its own inserts into `events_local`. The Distributed `events` routes by (site, session_id), so
-- every copy of an event and every purchase of an order (one session) reaches the same shard, whichever
-- ingestion node read it: the gates hold a shard's keys. A materialized view runs on the replica that
-- received the insert; the tables it writes are replicated, the gates (EmbeddedRocksDB) are not: if the
-- Distributed table switches a shard's inserts to another replica (the first one down), copies of events
-- counted before the switch count again there (docs/SCALING.md). Same SELECTs as the single-node views
-- on the shard's `_local` tables (tests/topology_cluster_sql_test.ts compares them); the Distributed
-- tables at the end give the views of the numbered files the whole cluster under the single-node names.

CREATE TABLE IF NOT EXISTS event_gate ON CLUSTER '{cluster}'
(
    id String
)
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

CREATE TABLE IF NOT EXISTS order_gate ON CLUSTER '{cluster}'
(
    id String
)
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

CREATE TABLE IF NOT EXISTS deliveries ON CLUSTER '{cluster}' ENGINE = Null AS
SELECT *, toUInt8(0) AS is_first, toUInt8(0) AS is_counted FROM events_local LIMIT 0;

CREATE TABLE IF NOT EXISTS deliveries_in_block ON CLUSTER '{cluster}' ENGINE = Null AS
SELECT *, '' AS event_key, '' AS order_key, toUInt8(0) AS first_event_in_block, toUInt8(0) AS first_order_in_block
FROM events_local LIMIT 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS deliveries_in_block_mv ON CLUSTER '{cluster}' TO deliveries_in_block AS
SELECT
    *,
    -- Of those, the block's first row of each order; two purchases in one message (one request) by
    -- their client time, then event_id.
    toUInt8(row_number() OVER (
        PARTITION BY order_key, first_event_in_block ORDER BY _partition, _offset, client_ts, event_id) = 1)
        AS first_order_in_block
FROM
(
    SELECT
        *,
        concat(site, ':', event_id) AS event_key,
        if(type = 'purchase', concat(site, ':', order_id), '') AS order_key,
        -- The block's first row of each event, in read order.
        toUInt8(row_number() OVER (PARTITION BY event_key ORDER BY _partition, _offset) = 1) AS first_event_in_block
    FROM events_local
);

CREATE MATERIALIZED VIEW IF NOT EXISTS deliveries_mv ON CLUSTER '{cluster}' TO deliveries AS
SELECT
    b.* EXCEPT (event_key, order_key, first_event_in_block, first_order_in_block),
    toUInt8(ge.id = '' AND b.first_event_in_block) AS is_first,
    toUInt8(is_first AND (b.type != 'purchase' OR (og.id = '' AND b.first_order_in_block))) AS is_counted
FROM deliveries_in_block AS b
-- Point lookups in the gates; a missing key reads as ''.
LEFT JOIN event_gate AS ge ON ge.id = b.event_key
LEFT JOIN order_gate AS og ON og.id = b.order_key
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_gate_mv ON CLUSTER '{cluster}' TO event_gate AS
SELECT concat(site, ':', event_id) AS id
FROM deliveries
WHERE is_first = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS order_gate_mv ON CLUSTER '{cluster}' TO order_gate AS
SELECT concat(site, ':', order_id) AS id
FROM deliveries
WHERE is_counted = 1 AND type = 'purchase';

CREATE TABLE IF NOT EXISTS counted_events_local ON CLUSTER '{cluster}' AS events_local
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/counted_events_local', '{replica}')
PARTITION BY toYYYYMMDD(event_time)
ORDER BY (site, type, event_time, event_id)
TTL toDateTime(event_time) + toIntervalDay(${EVENTS_TTL_DAYS})
SETTINGS merge_selector_base = 10;

ALTER TABLE counted_events_local ON CLUSTER '{cluster}'
    ADD COLUMN IF NOT EXISTS is_late UInt8,
    ADD COLUMN IF NOT EXISTS is_replay UInt8;

CREATE MATERIALIZED VIEW IF NOT EXISTS counted_events_mv ON CLUSTER '{cluster}' TO counted_events_local AS
SELECT
    * EXCEPT (is_first, is_counted) REPLACE (
        if(device_type != '', device_type, multiIf(
            toUInt32OrZero(splitByChar('x', viewport)[1]) = 0, 'unknown',
            toUInt32OrZero(splitByChar('x', viewport)[1]) < 768, 'mobile',
            toUInt32OrZero(splitByChar('x', viewport)[1]) < 1100, 'tablet',
            'desktop')) AS device_type),
    -- First delivered after its minute closed plus the watermark: the live windows leave it out.
    toUInt8(received_at >= toStartOfMinute(event_time) + toIntervalSecond(60 + ${LIVE_WATERMARK_S})) AS is_late,
    toUInt8(NOT is_counted) AS is_replay
FROM deliveries
WHERE is_first = 1;

CREATE TABLE IF NOT EXISTS copies_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    kind LowCardinality(String),
    id String,
    copies UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/copies_local', '{replica}')
ORDER BY (site, kind, id);

CREATE MATERIALIZED VIEW IF NOT EXISTS copies_mv ON CLUSTER '{cluster}' TO copies_local AS
SELECT site, if(is_first = 0, 'event', 'order') AS kind, if(is_first = 0, event_id, order_id) AS id,
    count() AS copies
FROM deliveries
WHERE is_first = 0 OR is_counted = 0
GROUP BY site, kind, id;

CREATE TABLE IF NOT EXISTS funnel_minutes_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    is_late UInt8,
    viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    page_views SimpleAggregateFunction(sum, UInt64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/funnel_minutes_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute, is_late);

CREATE MATERIALIZED VIEW IF NOT EXISTS funnel_minutes_mv ON CLUSTER '{cluster}' TO funnel_minutes_local AS
SELECT
    site,
    toStartOfMinute(event_time) AS minute,
    is_late,
    uniqExactStateIf(user_key, type = 'page_view') AS viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    toUInt64(countIf(type = 'page_view')) AS page_views
FROM counted_events_local
WHERE is_replay = 0
GROUP BY site, minute, is_late;

CREATE TABLE IF NOT EXISTS traffic_hours_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    hour DateTime('UTC'),
    visitors AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    sessions AggregateFunction(uniqExact, String),
    converting_sessions AggregateFunction(uniqExact, String),
    page_views SimpleAggregateFunction(sum, UInt64),
    orders SimpleAggregateFunction(sum, UInt64),
    -- Order revenue and order count per currency.
    revenue SimpleAggregateFunction(sumMap, Map(String, Decimal(38, 2))),
    orders_by_currency SimpleAggregateFunction(sumMap, Map(String, UInt64)),
    inserts SimpleAggregateFunction(sum, UInt64) DEFAULT 1
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/traffic_hours_local', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_hours_mv ON CLUSTER '{cluster}' TO traffic_hours_local AS
SELECT
    site,
    toStartOfHour(event_time) AS hour,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    uniqExactStateIf(session_id, type = 'purchase') AS converting_sessions,
    toUInt64(countIf(type = 'page_view')) AS page_views,
    toUInt64(countIf(type = 'purchase')) AS orders,
    sumMapIf(map(toString(currency), toDecimal128(revenue, 2)), type = 'purchase') AS revenue,
    sumMapIf(map(toString(currency), toUInt64(1)), type = 'purchase') AS orders_by_currency
FROM counted_events_local
WHERE is_replay = 0
GROUP BY site, hour;

CREATE TABLE IF NOT EXISTS traffic_days_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    day Date,
    visitors AggregateFunction(uniqExact, String),
    product_viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    sessions AggregateFunction(uniqExact, String),
    orders SimpleAggregateFunction(sum, UInt64)
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/traffic_days_local', '{replica}')
PARTITION BY toYYYYMM(day)
ORDER BY (site, day);

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_days_mv ON CLUSTER '{cluster}' TO traffic_days_local AS
SELECT
    site,
    toDate(event_time) AS day,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    uniqExactStateIf(user_key, type = 'page_view' AND extract(url, '/products/([^/?#]+)') != '') AS product_viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    toUInt64(countIf(type = 'purchase')) AS orders
FROM counted_events_local
WHERE is_replay = 0
GROUP BY site, day;

CREATE TABLE IF NOT EXISTS revenue_minutes_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    currency LowCardinality(String),
    minute DateTime('UTC'),
    is_late UInt8,
    orders UInt64,
    units UInt64,
    revenue Decimal(38, 2)
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/revenue_minutes_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (site, currency, minute, is_late);

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_minutes_mv ON CLUSTER '{cluster}' TO revenue_minutes_local AS
SELECT
    site,
    currency,
    toStartOfMinute(event_time) AS minute,
    is_late,
    count() AS orders,
    toUInt64(sum(arraySum(i -> tupleElement(i, 2), items))) AS units,
    sum(revenue) AS revenue
FROM counted_events_local
WHERE type = 'purchase' AND is_replay = 0
GROUP BY site, currency, minute, is_late;

CREATE TABLE IF NOT EXISTS product_hours_local ON CLUSTER '{cluster}'
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
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/product_hours_local', '{replica}')
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour, product_id);


-- What queries read: the whole cluster under the single-node names.
CREATE TABLE IF NOT EXISTS counted_events ON CLUSTER '{cluster}' AS counted_events_local
ENGINE = Distributed('{cluster}', currentDatabase(), counted_events_local, rand());

CREATE TABLE IF NOT EXISTS copies ON CLUSTER '{cluster}' AS copies_local
ENGINE = Distributed('{cluster}', currentDatabase(), copies_local, rand());

CREATE TABLE IF NOT EXISTS funnel_minutes ON CLUSTER '{cluster}' AS funnel_minutes_local
ENGINE = Distributed('{cluster}', currentDatabase(), funnel_minutes_local, rand());

CREATE TABLE IF NOT EXISTS traffic_hours ON CLUSTER '{cluster}' AS traffic_hours_local
ENGINE = Distributed('{cluster}', currentDatabase(), traffic_hours_local, rand());

CREATE TABLE IF NOT EXISTS traffic_days ON CLUSTER '{cluster}' AS traffic_days_local
ENGINE = Distributed('{cluster}', currentDatabase(), traffic_days_local, rand());

CREATE TABLE IF NOT EXISTS revenue_minutes ON CLUSTER '{cluster}' AS revenue_minutes_local
ENGINE = Distributed('{cluster}', currentDatabase(), revenue_minutes_local, rand());

CREATE TABLE IF NOT EXISTS product_hours ON CLUSTER '{cluster}' AS product_hours_local
ENGINE = Distributed('{cluster}', currentDatabase(), product_hours_local, rand());

-- The session states of clickhouse/035, on the shard that holds the session (gate local to the replica).
CREATE TABLE IF NOT EXISTS session_gate ON CLUSTER '{cluster}'
(
    id String,
    started_at DateTime64(3, 'UTC'),
    purchased UInt8,
    last_cart_at DateTime64(3, 'UTC'),   -- 1970 when the session has no cart event
    cart_adds UInt32,
    purchase_times Array(DateTime64(3, 'UTC'))
)
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

CREATE TABLE IF NOT EXISTS session_blocks ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    session_id String,
    started_at DateTime64(3, 'UTC'),
    last_cart_at DateTime64(3, 'UTC'),
    cart_adds UInt32,
    purchase_times Array(DateTime64(3, 'UTC'))
)
ENGINE = Null;

CREATE TABLE IF NOT EXISTS session_changes ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    session_id String,
    had_state UInt8,
    old_started_at DateTime64(3, 'UTC'),
    old_purchased UInt8,
    old_last_cart_at DateTime64(3, 'UTC'),
    old_cart_adds UInt32,
    old_purchase_times Array(DateTime64(3, 'UTC')),
    started_at DateTime64(3, 'UTC'),
    purchased UInt8,
    last_cart_at DateTime64(3, 'UTC'),
    cart_adds UInt32,
    purchase_times Array(DateTime64(3, 'UTC'))
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_blocks_mv ON CLUSTER '{cluster}' TO session_blocks AS
SELECT
    site,
    session_id,
    min(event_time) AS started_at,
    maxIf(event_time, type IN ('add_to_cart', 'remove_from_cart')) AS last_cart_at,
    toUInt32(countIf(type = 'add_to_cart')) AS cart_adds,
    groupArrayIf(event_time, type = 'purchase') AS purchase_times
FROM counted_events_local
WHERE is_replay = 0
GROUP BY site, session_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_changes_mv ON CLUSTER '{cluster}' TO session_changes AS
SELECT
    b.site AS site,
    b.session_id AS session_id,
    toUInt8(g.id != '') AS had_state,
    g.started_at AS old_started_at,
    g.purchased AS old_purchased,
    g.last_cart_at AS old_last_cart_at,
    g.cart_adds AS old_cart_adds,
    g.purchase_times AS old_purchase_times,
    if(had_state = 1, least(g.started_at, b.started_at), b.started_at) AS started_at,
    toUInt8(g.purchased = 1 OR length(b.purchase_times) > 0) AS purchased,
    greatest(g.last_cart_at, b.last_cart_at) AS last_cart_at,
    g.cart_adds + b.cart_adds AS cart_adds,
    arrayConcat(g.purchase_times, b.purchase_times) AS purchase_times
FROM session_blocks AS b
-- A point lookup per session; a missing one reads as defaults (id '').
LEFT JOIN session_gate AS g ON g.id = concat(b.site, ':', b.session_id)
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_gate_mv ON CLUSTER '{cluster}' TO session_gate AS
SELECT concat(site, ':', session_id) AS id, started_at, purchased, last_cart_at, cart_adds, purchase_times
FROM session_changes;

CREATE TABLE IF NOT EXISTS session_starts_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    sessions Int64,
    purchase_sessions Int64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/session_starts_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS session_starts_mv ON CLUSTER '{cluster}' TO session_starts_local AS
SELECT site, c.1 AS minute, sum(c.2) AS sessions, sum(c.3) AS purchase_sessions
FROM
(
    SELECT
        site,
        arrayJoin(arrayFilter(x -> x.4, [
            (toStartOfMinute(old_started_at), toInt64(-1), -toInt64(old_purchased), had_state = 1),
            (toStartOfMinute(started_at), toInt64(1), toInt64(purchased), true)])) AS c
    FROM session_changes
)
GROUP BY site, minute;

CREATE TABLE IF NOT EXISTS session_starts ON CLUSTER '{cluster}' AS session_starts_local
ENGINE = Distributed('{cluster}', currentDatabase(), session_starts_local, rand());

CREATE TABLE IF NOT EXISTS cart_states_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    last_cart_at DateTime64(3, 'UTC'),
    carts Int64,
    purchased_carts Int64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/cart_states_local', '{replica}')
PARTITION BY toYYYYMM(last_cart_at)
ORDER BY (site, last_cart_at);

CREATE MATERIALIZED VIEW IF NOT EXISTS cart_states_mv ON CLUSTER '{cluster}' TO cart_states_local AS
SELECT site, c.1 AS last_cart_at, sum(c.2) AS carts, sum(c.3) AS purchased_carts
FROM
(
    SELECT
        site,
        arrayJoin(arrayFilter(x -> x.4, [
            (old_last_cart_at, toInt64(-1),
                -toInt64(arrayExists(
                    t -> t >= old_last_cart_at AND t <= old_last_cart_at + toIntervalMinute(30), old_purchase_times)),
                old_cart_adds > 0),
            (last_cart_at, toInt64(1),
                toInt64(arrayExists(
                    t -> t >= last_cart_at AND t <= last_cart_at + toIntervalMinute(30), purchase_times)),
                cart_adds > 0)])) AS c
    FROM session_changes
)
GROUP BY site, last_cart_at;

CREATE TABLE IF NOT EXISTS cart_states ON CLUSTER '{cluster}' AS cart_states_local
ENGINE = Distributed('{cluster}', currentDatabase(), cart_states_local, rand());

-- Deliveries per minute of arrival (clickhouse/036), per shard.
CREATE TABLE IF NOT EXISTS ingest_minutes_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    events SimpleAggregateFunction(sum, UInt64),
    newest_received_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
)
ENGINE = ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/{database}/ingest_minutes_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS ingest_minutes_mv ON CLUSTER '{cluster}' TO ingest_minutes_local AS
SELECT site, toStartOfMinute(received_at) AS minute, count() AS events, max(received_at) AS newest_received_at
FROM events_local
GROUP BY site, minute;

CREATE TABLE IF NOT EXISTS ingest_minutes ON CLUSTER '{cluster}' AS ingest_minutes_local
ENGINE = Distributed('{cluster}', currentDatabase(), ingest_minutes_local, rand());

-- Counts of hours whose states stopped changing (clickhouse/008_traffic_hours.sql). Every data node refreshes them from the
-- whole cluster's states (Distributed `traffic_hours`) into one replication group over all nodes, as
-- `products`: the same rows everywhere, replaced by version.
CREATE TABLE IF NOT EXISTS funnel_hour_counts ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    hour DateTime('UTC'),
    viewers UInt64,
    carters UInt64,
    purchasers UInt64,
    version UInt64
)
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/funnel_hour_counts', '{shard}-{replica}', version)
ORDER BY (site, hour);

CREATE MATERIALIZED VIEW IF NOT EXISTS funnel_hour_counts_mv ON CLUSTER '{cluster}'
REFRESH EVERY 5 SECOND APPEND TO funnel_hour_counts AS
SELECT
    site,
    hour,
    uniqExactMerge(visitors) AS viewers,
    uniqExactMerge(carters) AS carters,
    uniqExactMerge(purchasers) AS purchasers,
    sum(inserts) AS version
FROM traffic_hours
WHERE (site, hour) IN
(
    SELECT site, hour
    FROM (SELECT site, hour, sum(inserts) AS version FROM traffic_hours GROUP BY site, hour) AS now_
    LEFT JOIN (SELECT site, hour, max(version) AS counted FROM funnel_hour_counts GROUP BY site, hour) AS c
        USING (site, hour)
    WHERE c.counted != now_.version
)
GROUP BY site, hour;

-- Product touches and products per minute (clickhouse/040), per shard, and product_hours_mv as 040 defines it.
CREATE TABLE IF NOT EXISTS product_touches ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    event_time DateTime64(3, 'UTC'),
    user_key String,
    currency String,
    a Tuple(product_id String, kind String, quantity UInt32, line_revenue Decimal(18, 2))
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS product_touches_mv ON CLUSTER '{cluster}' TO product_touches AS
SELECT
    site,
    event_time,
    user_key,
    toString(currency) AS currency,
    arrayJoin(multiIf(
        type = 'page_view',
        [(decodeURLComponent(extract(url, '/products/([^/?#]+)')), 'page_view', toUInt32(0), toDecimal64(0, 2))],
        type IN ('add_to_cart', 'remove_from_cart'),
        [(product_id, toString(type), toUInt32(0), toDecimal64(0, 2))],
        arrayConcat(
            arrayMap(i -> (i.1, 'order_line', i.2, toDecimal64(i.3 * i.2, 2)), items),
            arrayMap(p -> (p, 'order', toUInt32(0), toDecimal64(0, 2)), arrayDistinct(arrayMap(i -> i.1, items)))))
    ) AS a
FROM counted_events_local
WHERE is_replay = 0
    AND (type != 'page_view' OR extract(url, '/products/([^/?#]+)') != '')
    AND type IN ('page_view', 'add_to_cart', 'remove_from_cart', 'purchase');


CREATE MATERIALIZED VIEW IF NOT EXISTS product_hours_mv ON CLUSTER '{cluster}' TO product_hours_local AS
SELECT
    site,
    toStartOfHour(event_time) AS hour,
    a.product_id AS product_id,
    toUInt64(countIf(a.kind = 'page_view')) AS views,
    uniqExactStateIf(user_key, a.kind = 'page_view') AS unique_viewers,
    toUInt64(countIf(a.kind = 'add_to_cart')) AS cart_adds,
    toUInt64(countIf(a.kind = 'remove_from_cart')) AS cart_removes,
    toUInt64(countIf(a.kind = 'order')) AS purchases,
    toUInt64(sumIf(a.quantity, a.kind = 'order_line')) AS units,
    sumMapIf(map(currency, toDecimal128(a.line_revenue, 2)), a.kind = 'order_line') AS revenue
FROM product_touches
GROUP BY site, hour, product_id;

CREATE TABLE IF NOT EXISTS product_minutes_local ON CLUSTER '{cluster}'
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    product_id String,
    views UInt64,
    cart_adds UInt64,
    purchases UInt64,
    units UInt64
)
ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/product_minutes_local', '{replica}')
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute, product_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS product_minutes_mv ON CLUSTER '{cluster}' TO product_minutes_local AS
SELECT
    site,
    toStartOfMinute(event_time) AS minute,
    a.product_id AS product_id,
    toUInt64(countIf(a.kind = 'page_view')) AS views,
    toUInt64(countIf(a.kind = 'add_to_cart')) AS cart_adds,
    toUInt64(countIf(a.kind = 'order')) AS purchases,
    toUInt64(sumIf(a.quantity, a.kind = 'order_line')) AS units
FROM product_touches
GROUP BY site, minute, product_id;

CREATE TABLE IF NOT EXISTS product_minutes ON CLUSTER '{cluster}' AS product_minutes_local
ENGINE = Distributed('{cluster}', currentDatabase(), product_minutes_local, rand());
