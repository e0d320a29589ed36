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
-- through. Each block of `events` is marked with the first row per key in read order, then with the
-- keys its gate has not seen; those are written to the gate before the consumer reads its next block
-- (a consumer inserts its blocks one at a time, and an event's copies all reach one consumer).
-- Horizon: a gate forgets a key 30 days after writing it (RocksDB TTL, applied at its compactions):
-- a copy that arrives later than that counts again (README, "Past the horizon").

-- Keys ('site:event_id') of the events already counted.
CREATE TABLE IF NOT EXISTS event_gate
(
    id String
)
-- 2,592,000 s = 30 days: longer than an SDK keeps a batch to re-send or a collector its spool:
-- the gate holds the keys of 30 days.
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

-- Keys ('site:order_id') of the orders already counted.
CREATE TABLE IF NOT EXISTS order_gate
(
    id String
)
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

-- Each stored delivery, marked: the first of its event (is_first) and, for a purchase, the first of its
-- order (is_counted). Nothing is stored here.
CREATE TABLE IF NOT EXISTS deliveries ENGINE = Null AS
SELECT *, toUInt8(0) AS is_first, toUInt8(0) AS is_counted FROM events LIMIT 0;

-- A block of `events` with its rows' keys and which rows come first in it, before the gates are asked
-- (two views: with a window function and a direct join in one, chdb 26.7 loses the window's column).
CREATE TABLE IF NOT EXISTS deliveries_in_block ENGINE = Null AS
SELECT *, '' AS event_key, '' AS order_key, toUInt8(0) AS first_event_in_block, toUInt8(0) AS first_order_in_block
FROM events LIMIT 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS deliveries_in_block_mv TO deliveries_in_block AS
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
    FROM events${LOCAL}
);

CREATE MATERIALIZED VIEW IF NOT EXISTS deliveries_mv TO deliveries AS
SELECT
    b.* EXCEPT (event_key, order_key, first_event_in_block, first_order_in_block),
    toUInt8(ge.id = '' AND b.first_event_in_block) AS is_first,
    toUInt8(is_first AND (b.type != 'purchase' OR (og.id = '' AND b.first_order_in_block))) AS is_counted
FROM deliveries_in_block AS b
-- Point lookups in the gates; a missing key reads as ''.
LEFT JOIN event_gate AS ge ON ge.id = b.event_key
LEFT JOIN order_gate AS og ON og.id = b.order_key
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_gate_mv TO event_gate AS
SELECT concat(site, ':', event_id) AS id
FROM deliveries
WHERE is_first = 1;

CREATE MATERIALIZED VIEW IF NOT EXISTS order_gate_mv TO order_gate AS
SELECT concat(site, ':', order_id) AS id
FROM deliveries
WHERE is_counted = 1 AND type = 'purchase';
