-- The first delivery of each event, decided as it is consumed, so that the tables behind it can
-- aggregate at insert time and stay exact under at-least-once delivery (clickhouse/README.md,
-- "First delivery").
--
-- The rule: of the copies of an event (same site and event_id), the first one ClickHouse reads
-- counts; of the purchases naming an order, the first one read counts (a thank-you page reload is a
-- replay; two in one message by the earlier client time, then the smaller event_id). Copies of an
-- event share their Kafka key (site and session), so their partition: the first read is the lowest
-- offset, whichever consumer reads it, and a second read of one message (a commit
-- lost in a rebalance or a restart) has the offset of the first.
-- How: two key-value gates (EmbeddedRocksDB: a point lookup per row) remember the keys they let
-- through. Each block's first row per key in read order is asked of its gate; the keys the gate has
-- not seen are written to it before the consumer reads its next block (a consumer inserts its blocks
-- one at a time, and an event's copies all reach one consumer).
-- Cost (loadtest/RESULTS.md, "The write path with the views on"): the block's first row per event is
-- taken with LIMIT 1 BY (a hash of the keys, rows kept in read order) and one window function marks the
-- first purchase of each order; two nested windows did both before, sorting and moving every column of
-- the block twice: 8.5-9.2 µs of CPU per event for marking and asking the gates, 3.6-4.8 now. Keys are
-- 128-bit SipHashes of site and id (16 bytes to store and compare; two ids colliding: ~2^-128 per pair).
-- Horizon: a gate forgets a key 30 days after writing it (RocksDB TTL, applied at its compactions):
-- a copy that arrives later than that counts again (README, "Past the horizon").

-- The events already counted, by sipHash128(site, event_id); `seen` reads 0 for a key not there.
CREATE TABLE IF NOT EXISTS event_gate
(
    key FixedString(16),
    seen UInt8
)
-- 2,592,000 s = 30 days: longer than an SDK keeps a batch to re-send or a collector its spool:
-- the gate holds the keys of 30 days.
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY key;

-- The orders already counted, by sipHash128(site, order_id).
CREATE TABLE IF NOT EXISTS order_gate
(
    key FixedString(16),
    seen UInt8
)
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY key;

-- Each block's first delivery of each event, marked: the first of its event (is_first) and, for a
-- purchase, the first of its order (is_counted). Nothing is stored here. A block's further copies of an
-- event are not here: copies_in_block_mv (006_counted_events.sql) counts them.
CREATE TABLE IF NOT EXISTS deliveries ENGINE = Null AS
SELECT *, toUInt8(0) AS is_first, toUInt8(0) AS is_counted FROM events LIMIT 0;

-- The block's first row of each event, with which purchase comes first of its order in the block, before
-- the gates are asked (two views: with a window function and a direct join in one, chdb 26.7 loses the
-- window's column).
CREATE TABLE IF NOT EXISTS deliveries_in_block ENGINE = Null AS
SELECT *, toUInt8(0) AS first_order_in_block FROM events LIMIT 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS deliveries_in_block_mv TO deliveries_in_block AS
SELECT
    *,
    -- Of the purchases, the block's first of each order: two in one message (one request) by their
    -- client time, then event_id.
    toUInt8(type != 'purchase' OR row_number() OVER (
        PARTITION BY site, type, order_id ORDER BY _partition, _offset, client_ts, event_id) = 1) AS first_order_in_block
FROM
(
    -- The block's first row of each event: LIMIT BY keeps the first row of a key as the rows come, and a
    -- block's rows come in Kafka order (an event's copies share a partition, so the lower offset first,
    -- in one message, the earlier line). tests/analytics_schema_test.ts checks it on a block whose later
    -- copy has the earlier event_time.
    SELECT * FROM events${LOCAL} LIMIT 1 BY site, event_id
);

CREATE MATERIALIZED VIEW IF NOT EXISTS deliveries_mv TO deliveries AS
SELECT
    b.* EXCEPT (first_order_in_block),
    toUInt8(ge.seen = 0) AS is_first,
    toUInt8(is_first AND (b.type != 'purchase' OR (og.seen = 0 AND b.first_order_in_block))) AS is_counted
FROM deliveries_in_block AS b
-- Point lookups in the gates; a missing key reads as seen = 0.
LEFT JOIN event_gate AS ge ON ge.key = sipHash128(b.site, b.event_id)
LEFT JOIN order_gate AS og ON og.key = sipHash128(b.site, if(b.type = 'purchase', b.order_id, ''))
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_gate_mv TO event_gate AS
SELECT sipHash128(site, event_id) AS key, toUInt8(1) AS seen
FROM deliveries
WHERE is_first = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS order_gate_mv TO order_gate AS
SELECT sipHash128(site, order_id) AS key, toUInt8(1) AS seen
FROM deliveries
WHERE is_counted = 1 AND type = 'purchase';
