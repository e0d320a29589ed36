-- Sessions and carts as they change, for the dashboard's headline numbers: sessions started in a
-- range, how many of them bought, and the carts decided in it. A session's start (its first event)
-- and its cart's fate (an order within 30 minutes of the last cart event) can change with any later
-- event of the session, so each session's state is kept by key, and each block writes what changed
-- as signed rows: the old contribution taken back (-1), the new one added (+1). A range is then a sum
-- over its minutes (starts) or its carts' last events, whatever the history before it.
-- Exact for the same reasons as the gates of 005_first_delivery.sql: a session's events share a
-- partition, so one consumer, which writes a block's new states before it reads the next block.

-- The state of each session ('site:session_id'), replaced at each block that has its events.
CREATE TABLE IF NOT EXISTS session_gate
(
    id String,
    started_at DateTime64(3, 'UTC'),
    purchased UInt8,
    last_cart_at DateTime64(3, 'UTC'),   -- 1970 when the session has no cart event
    cart_adds UInt32,
    purchase_times Array(DateTime64(3, 'UTC'))
)
-- Kept 30 days after its last change, as the gates of 005_first_delivery.sql: a session idle
-- longer that comes back counts as a new one.
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

-- A block's sessions: what the block brings, before the state is asked (two views: chdb 26.7 loses
-- columns when one view both aggregates and joins, as in 005_first_delivery.sql).
CREATE TABLE IF NOT EXISTS session_blocks
(
    site LowCardinality(String),
    session_id String,
    started_at DateTime64(3, 'UTC'),
    last_cart_at DateTime64(3, 'UTC'),
    cart_adds UInt32,
    purchase_times Array(DateTime64(3, 'UTC'))
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS session_blocks_mv TO session_blocks AS
SELECT
    site,
    session_id,
    min(event_time) AS started_at,
    maxIf(event_time, type IN ('add_to_cart', 'remove_from_cart')) AS last_cart_at,
    toUInt32(countIf(type = 'add_to_cart')) AS cart_adds,
    groupArrayIf(event_time, type = 'purchase') AS purchase_times
FROM counted_events${LOCAL}
WHERE is_replay = 0
GROUP BY site, session_id;

-- Each session of a block with its state before (old_*, had_state) and after.
CREATE TABLE IF NOT EXISTS session_changes
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

CREATE MATERIALIZED VIEW IF NOT EXISTS session_changes_mv TO session_changes AS
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

CREATE MATERIALIZED VIEW IF NOT EXISTS session_gate_mv TO session_gate AS
SELECT concat(site, ':', session_id) AS id, started_at, purchased, last_cart_at, cart_adds, purchase_times
FROM session_changes;

-- Sessions per minute of their start, and those of them with an order (signed sums).
CREATE TABLE IF NOT EXISTS session_starts${LOCAL}
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    sessions Int64,
    purchase_sessions Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS session_starts_mv TO session_starts${LOCAL} AS
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

-- Carted sessions by their last cart event (add or remove), and those 'purchased': an order within
-- 30 minutes after it. The others are 'abandoned' once 30 minutes passed, 'open' until then: decided
-- when read (they depend on now()).
CREATE TABLE IF NOT EXISTS cart_states${LOCAL}
(
    site LowCardinality(String),
    last_cart_at DateTime64(3, 'UTC'),
    carts Int64,
    purchased_carts Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(last_cart_at)
ORDER BY (site, last_cart_at);

CREATE MATERIALIZED VIEW IF NOT EXISTS cart_states_mv TO cart_states${LOCAL} AS
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

-- The same signed sums per minute of the last cart event, chained from the rows each block adds to
-- cart_states: a month of carts is ~43k minutes instead of a row per carted session. A minute whose
-- carts all turned 30 minutes old (or none did) at a range's end is decided as a whole; the dashboard
-- reads cart_states only for the minute that straddles that point and the range's partial edges.
CREATE TABLE IF NOT EXISTS cart_minutes${LOCAL}
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    carts Int64,
    purchased_carts Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute);

CREATE MATERIALIZED VIEW IF NOT EXISTS cart_minutes_mv TO cart_minutes${LOCAL} AS
SELECT site, toStartOfMinute(last_cart_at) AS minute, sum(carts) AS carts, sum(purchased_carts) AS purchased_carts
FROM cart_states${LOCAL}
GROUP BY site, minute;
