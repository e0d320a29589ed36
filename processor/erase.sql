-- Erasure of a shopper's sessions (processor/erase.ts runs these in order, as the processor's own
-- user, with ingest paused). Its inputs are two scratch tables erase.ts fills first:
--   erase_sessions (site, session_id): the shopper's sessions;
--   erase_days (site, day): the site's days those sessions have events on (counted_events'
--   event_time + utc_offset, the day every aggregate filed them under).
-- Distinct-user states cannot be taken apart, so every aggregate bucket of those days is dropped and
-- recounted from the days' other events: they are copied aside, deleted from counted_events and
-- inserted again, which runs every aggregate view on them once more. Each bucket (a minute, the site's
-- hour or day) lies within one of those days, so a dropped bucket gets back exactly its other events.

-- The erased sessions are turned away from now on (001_events.sql), copies still in Kafka included.
INSERT INTO erased_sessions (site, session_id)
SELECT site, session_id FROM erase_sessions;

-- The days' events of everyone else, to count again.
INSERT INTO erase_recount
SELECT * FROM counted_events
WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days)
  AND (site, session_id) NOT IN (SELECT site, session_id FROM erase_sessions);

-- The buckets of those days, as each aggregate view keys them (007-011).
DELETE FROM funnel_minutes
WHERE (site, minute) IN (
    SELECT site, toStartOfMinute(event_time) FROM counted_events
    WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days));

DELETE FROM revenue_minutes
WHERE (site, minute) IN (
    SELECT site, toStartOfMinute(event_time) FROM counted_events
    WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days));

DELETE FROM product_minutes
WHERE (site, minute) IN (
    SELECT site, toStartOfMinute(event_time) FROM counted_events
    WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days));

DELETE FROM traffic_hours
WHERE (site, hour) IN (
    SELECT site, toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset)
    FROM counted_events
    WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days));

-- An hour's stored count with the shopper in it; the hour is merged from its states until recounted.
DELETE FROM funnel_hour_counts
WHERE (site, hour) IN (
    SELECT site, toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset)
    FROM counted_events
    WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days));

DELETE FROM product_hours
WHERE (site, hour) IN (
    SELECT site, toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset)
    FROM counted_events
    WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days));

DELETE FROM traffic_days
WHERE (site, day) IN (SELECT site, day FROM erase_days);

-- The erased sessions' contributions to the headline numbers, taken back as the session views would
-- (012_session_states.sql): each session's state holds all of it. Other sessions' events counted
-- again below leave these tables as they are (a state merged with events it holds is unchanged).
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
DELETE FROM event_gate
WHERE id IN (
    SELECT concat(site, ':', event_id) FROM events
    WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

DELETE FROM order_gate
WHERE id IN (
    SELECT concat(site, ':', order_id) FROM events
    WHERE type = 'purchase' AND (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

DELETE FROM copies
WHERE (site, id) IN (
    SELECT site, event_id FROM events
    WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions)
    UNION ALL
    SELECT site, order_id FROM events
    WHERE type = 'purchase' AND (site, session_id) IN (SELECT site, session_id FROM erase_sessions));

-- The days' counted events (the erased ones with them), then every delivery of the erased sessions.
DELETE FROM counted_events
WHERE (site, toDate(event_time + toIntervalSecond(utc_offset))) IN (SELECT site, day FROM erase_days);

DELETE FROM events
WHERE (site, session_id) IN (SELECT site, session_id FROM erase_sessions);

-- Everyone else's events of those days, counted again: every aggregate view runs on them.
INSERT INTO counted_events
SELECT * FROM erase_recount;
