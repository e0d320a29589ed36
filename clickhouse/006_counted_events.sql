-- Every event once, as the gates of 005_first_delivery.sql decide it, stored when it is consumed:
-- what every aggregate view reads, and the deduplicated reading of ad-hoc SQL.
-- `is_replay` marks a purchase whose order was already counted. A row is what its first delivery
-- stamped (event_time, received_at, enrichment, Kafka position); the device type is guessed from the
-- viewport width when the collector sent none.
-- Each site's time zone as the offsets from UTC it has had and will have (daylight saving, new rules),
-- written by the processor at start from the sites file (processor/site_zones.ts), before the Kafka
-- tables consume: ClickHouse's date functions take a time zone only as a constant, so an event's
-- offset is looked up here as it is counted. A site without a row is UTC.
CREATE TABLE IF NOT EXISTS site_zones
(
    site String,
    time_zone String,                       -- the IANA name, for readers
    changes Array(DateTime('UTC')),         -- when the offset changes, ascending
    offsets Array(Int32)                    -- seconds east of UTC: offsets[1] before changes[1], offsets[i + 1] from changes[i]
)
ENGINE = EmbeddedRocksDB
PRIMARY KEY site;

-- The columns, engine, order, TTL and settings of `events`, and three more: is_late (first delivered
-- after its minute closed plus the watermark), is_replay (a purchase of an order already counted) and
-- utc_offset (the site's offset from UTC at the event's time, in seconds): the site's hours and days
-- are those of event_time + utc_offset, so a zone half an hour off UTC has hours that begin at :30 UTC.
-- Decided once, as the event is counted: a site's new time zone applies to the events counted after it.
CREATE TABLE IF NOT EXISTS counted_events${LOCAL} AS events${LOCAL};

ALTER TABLE counted_events${LOCAL}
    ADD COLUMN IF NOT EXISTS is_late UInt8,
    ADD COLUMN IF NOT EXISTS is_replay UInt8,
    ADD COLUMN IF NOT EXISTS utc_offset Int32;

CREATE MATERIALIZED VIEW IF NOT EXISTS counted_events_mv TO counted_events${LOCAL} AS
SELECT
    d.* EXCEPT (is_first, is_counted) REPLACE (
        if(device_type != '', device_type, multiIf(
            toUInt32OrZero(splitByChar('x', viewport)[1]) = 0, 'unknown',
            toUInt32OrZero(splitByChar('x', viewport)[1]) < 768, 'mobile',
            toUInt32OrZero(splitByChar('x', viewport)[1]) < 1100, 'tablet',
            'desktop')) AS device_type),
    -- First delivered after its minute closed plus the watermark: the live windows leave it out.
    toUInt8(received_at >= toStartOfMinute(event_time) + toIntervalSecond(60 + ${LIVE_WATERMARK_S})) AS is_late,
    toUInt8(NOT is_counted) AS is_replay,
    -- The offset in force at the event's time (an empty row, a site not listed: offsets[1] of [] = 0).
    z.offsets[arrayCount(c -> c <= d.event_time, z.changes) + 1] AS utc_offset
FROM deliveries AS d
-- A point lookup per row, as the gates do.
LEFT JOIN site_zones AS z ON z.site = d.site
WHERE d.is_first = 1
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

-- How many further copies the gates turned away: deliveries of an event after its first ('event',
-- event_id), and purchases of an order after its first ('order', order_id). Few rows: copies only.
CREATE TABLE IF NOT EXISTS copies${LOCAL}
(
    site LowCardinality(String),
    kind LowCardinality(String),
    id String,
    copies UInt64
)
ENGINE = SummingMergeTree
ORDER BY (site, kind, id);

CREATE MATERIALIZED VIEW IF NOT EXISTS copies_mv TO copies${LOCAL} AS
SELECT site, if(is_first = 0, 'event', 'order') AS kind, if(is_first = 0, event_id, order_id) AS id,
    count() AS copies
FROM deliveries
WHERE is_first = 0 OR is_counted = 0
GROUP BY site, kind, id;

-- A block's further copies of an event, after its first row (the gates' views of 005 see that one only).
CREATE MATERIALIZED VIEW IF NOT EXISTS copies_in_block_mv TO copies${LOCAL} AS
SELECT site, 'event' AS kind, event_id AS id, count() AS copies
FROM
(
    SELECT site, event_id FROM events${LOCAL} LIMIT 1, 1000000000 BY site, event_id
)
GROUP BY site, event_id;

-- The deduplicated reading, as plain views over counted_events.

-- One row per (site, event_id), replayed purchases included, with how many copies arrived.
CREATE VIEW IF NOT EXISTS events_by_id AS
SELECT e.* EXCEPT (is_replay, _partition, _offset), 1 + c.copies AS deliveries
FROM counted_events AS e
LEFT JOIN (SELECT site, id, sum(copies) AS copies FROM copies WHERE kind = 'event' GROUP BY site, id) AS c
    ON c.site = e.site AND c.id = e.event_id;

-- Every event once, and of each order only its first purchase: what the analytics views that are not
-- aggregated at insert time read (sessions, carts, pages, users).
CREATE VIEW IF NOT EXISTS events_unique AS
SELECT * EXCEPT (is_replay, _partition, _offset)
FROM counted_events
WHERE is_replay = 0;

-- One row per (site, order_id): its first purchase, and how many purchase events named it.
CREATE VIEW IF NOT EXISTS orders AS
SELECT
    o.site AS site,
    o.order_id AS order_id,
    o.event_id AS event_id,
    o.event_time AS event_time,
    o.received_at AS received_at,
    o.is_late AS is_late,
    o.utc_offset AS utc_offset,
    o.user_key AS user_key,
    o.session_id AS session_id,
    o.currency AS currency,
    o.revenue AS revenue,
    o.items AS items,
    toUInt64(arraySum(i -> tupleElement(i, 2), o.items)) AS units,
    1 + r.copies AS purchase_events  -- 1 unless replayed
FROM (SELECT * FROM counted_events WHERE type = 'purchase' AND is_replay = 0) AS o
LEFT JOIN (SELECT site, id, sum(copies) AS copies FROM copies WHERE kind = 'order' GROUP BY site, id) AS r
    ON r.site = o.site AND r.id = o.order_id;

-- Each order line: the kept purchase's items, one row each, with the line's money.
CREATE VIEW IF NOT EXISTS order_items AS
SELECT
    site,
    order_id,
    event_time,
    is_late,
    utc_offset,
    user_key,
    currency,
    tupleElement(item, 1) AS product_id,
    tupleElement(item, 2) AS quantity,
    tupleElement(item, 3) AS price,
    tupleElement(item, 3) * tupleElement(item, 2) AS line_revenue
FROM orders
ARRAY JOIN items AS item;

-- Each late event once: first delivered after its minute closed plus the watermark (LIVE_WATERMARK_S),
-- so the live windows (funnel_1m, revenue_hop) left it out; every other table counts it.
CREATE VIEW IF NOT EXISTS late_events AS
SELECT
    e.site AS site,
    e.event_id AS event_id,
    e.type AS type,
    e.event_time AS event_time,
    e.received_at AS received_at,
    toStartOfMinute(e.event_time) AS window_start,   -- the live window it missed
    toUnixTimestamp64Milli(e.received_at) - toUnixTimestamp64Milli(e.event_time) AS delay_ms,
    e.user_key AS user_key,
    e.session_id AS session_id,
    e.order_id AS order_id,
    e.currency AS currency,
    e.revenue AS revenue,
    1 + c.copies AS deliveries
FROM (SELECT * FROM counted_events WHERE is_late = 1 AND is_replay = 0) AS e
LEFT JOIN (SELECT site, id, sum(copies) AS copies FROM copies WHERE kind = 'event' GROUP BY site, id) AS c
    ON c.site = e.site AND c.id = e.event_id;
