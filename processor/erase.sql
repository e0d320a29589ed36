-- Erasure of a shopper's sessions (processor/erase.ts runs these in order, as the processor's own
-- user, with ingest paused). Its inputs are two scratch tables erase.ts fills first:
--   erase_sessions (site, session_id): the shopper's sessions;
--   erase_scope (site, since): where the recount starts: the midnight (UTC) of the day of the
--   shopper's first event when the site's days are UTC days, else the site's beginning (a site with a
--   time zone has its own days beside the UTC days of visit_days, and no instant is a boundary of both).
-- Distinct-user states cannot be taken apart, so every aggregate bucket from `since` on is dropped and
-- recounted from everyone else's events: they are copied aside, deleted from counted_events and
-- inserted again, which runs every aggregate view on them once more. Every bucket (a minute, an hour,
-- a day) starts at or after `since`, or ends before it.
-- Per-session states (session_gate, visit_gate) hold a session's whole history: the erased sessions'
-- are taken back; other sessions' events counted again leave session_gate as it is (a state merged
-- with events it holds is unchanged), and visit_gate's sessions that start from `since` on are
-- forgotten and counted again whole (the visits, their sources and their exit pages).

-- The erased sessions are turned away from now on (001_events.sql), copies still in Kafka included.
INSERT INTO erased_sessions (site, session_id)
SELECT site, session_id FROM erase_sessions;

-- Everyone else's events from `since` on, to count again.
INSERT INTO erase_recount
SELECT * FROM counted_events
WHERE (site, session_id) NOT IN (SELECT site, session_id FROM erase_sessions)
  AND site IN (SELECT site FROM erase_scope)
  AND event_time >= (SELECT min(since) FROM erase_scope);

-- The buckets from `since` on, as each aggregate view keys them (007-011, 016).
DELETE FROM funnel_minutes
WHERE site IN (SELECT site FROM erase_scope) AND minute >= (SELECT min(since) FROM erase_scope);

DELETE FROM revenue_minutes
WHERE site IN (SELECT site FROM erase_scope) AND minute >= (SELECT min(since) FROM erase_scope);

DELETE FROM product_minutes
WHERE site IN (SELECT site FROM erase_scope) AND minute >= (SELECT min(since) FROM erase_scope);

DELETE FROM traffic_hours
WHERE site IN (SELECT site FROM erase_scope) AND hour >= (SELECT min(since) FROM erase_scope);

-- An hour's stored count with the shopper in it; the hour is merged from its states until recounted.
DELETE FROM funnel_hour_counts
WHERE site IN (SELECT site FROM erase_scope) AND hour >= (SELECT min(since) FROM erase_scope);

DELETE FROM product_hours
WHERE site IN (SELECT site FROM erase_scope) AND hour >= (SELECT min(since) FROM erase_scope);
-- The coarser sums chained from revenue_minutes and product_hours (010, 011): their views refill them
-- from the rows the recount writes there. A product day is the UTC day of its hours' start.
DELETE FROM revenue_five_minutes
WHERE site IN (SELECT site FROM erase_scope) AND bucket_start >= (SELECT min(since) FROM erase_scope);
DELETE FROM revenue_hours
WHERE site IN (SELECT site FROM erase_scope) AND hour >= (SELECT min(since) FROM erase_scope);
DELETE FROM product_days
WHERE site IN (SELECT site FROM erase_scope) AND day >= toDate((SELECT min(since) FROM erase_scope));

-- `since` is a midnight of the site's days, or 1970.
DELETE FROM traffic_days
WHERE site IN (SELECT site FROM erase_scope) AND day >= toDate((SELECT min(since) FROM erase_scope));

DELETE FROM visit_minutes
WHERE site IN (SELECT site FROM erase_scope) AND bucket >= (SELECT min(since) FROM erase_scope);

DELETE FROM visit_hours
WHERE site IN (SELECT site FROM erase_scope) AND bucket >= (SELECT min(since) FROM erase_scope);

DELETE FROM visit_days
WHERE site IN (SELECT site FROM erase_scope) AND bucket >= (SELECT min(since) FROM erase_scope);

-- Visits counted again whole: the erased ones and those that start from `since` on. Their exit page
-- rows are taken back as visit_exits_mv writes them; their attribution is forgotten.
CREATE TABLE erase_visits ENGINE = Memory AS
SELECT g.id AS id, g.last_view_at AS last_view_at, g.exit_page AS exit_page
FROM visit_gate AS g
WHERE g.id IN (SELECT concat(site, ':', session_id) FROM erase_sessions)
   OR (startsWith(g.id, concat((SELECT any(site) FROM erase_scope), ':'))
       AND g.started_at >= (SELECT min(since) FROM erase_scope));

INSERT INTO visit_exits (site, minute, page, exits)
SELECT (SELECT any(site) FROM erase_scope), toStartOfMinute(last_view_at), exit_page, -1
FROM erase_visits
WHERE last_view_at > 0;

DELETE FROM visit_gate
WHERE id IN (SELECT id FROM erase_visits);

DROP TABLE erase_visits;

DELETE FROM visit_sessions
WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions);

-- The erased sessions' contributions to the headline numbers, taken back as the session views would
-- (012_session_states.sql; cart_minutes follows cart_states through its view).
INSERT INTO session_starts (site, minute, sessions, purchase_sessions)
SELECT e.site, toStartOfMinute(g.started_at), -1, -toInt64(g.purchased)
FROM session_gate AS g
INNER JOIN erase_sessions AS e ON g.id = concat(e.site, ':', e.session_id);

INSERT INTO cart_states (site, last_cart_at, carts, purchased_carts)
SELECT e.site, g.last_cart_at, -1,
    -toInt64(arrayExists(t -> t >= g.last_cart_at AND t <= g.last_cart_at + toIntervalMinute(30), g.purchase_times))
FROM session_gate AS g
INNER JOIN erase_sessions AS e ON g.id = concat(e.site, ':', e.session_id)
WHERE g.cart_adds > 0;

DELETE FROM session_gate
WHERE id IN (SELECT concat(site, ':', session_id) FROM erase_sessions);

-- The gates' keys and the copies of the erased events and orders.
-- The gates' keys are sipHash128(site, id) (005_first_delivery.sql).
DELETE FROM event_gate
WHERE key IN (
    SELECT sipHash128(site, event_id) FROM events
    WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

DELETE FROM order_gate
WHERE key IN (
    SELECT sipHash128(site, order_id) FROM events
    WHERE type = 'purchase' AND (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

DELETE FROM copies
WHERE (site, id) IN (
    SELECT site, event_id FROM events
    WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions)
    UNION ALL
    SELECT site, order_id FROM events
    WHERE type = 'purchase' AND (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

-- The counted events from `since` on (the erased ones with them), every counted event of the erased
-- sessions, then every delivery of them.
DELETE FROM counted_events
WHERE site IN (SELECT site FROM erase_scope)
  AND (event_time >= (SELECT min(since) FROM erase_scope)
       OR (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

DELETE FROM events
WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions);

-- Everyone else's events from `since` on, counted again: every aggregate view runs on them.
INSERT INTO counted_events
SELECT * FROM erase_recount;
