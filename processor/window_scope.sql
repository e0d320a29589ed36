-- Which rows of `events` a question about the window [from, to) of one site ('' = every site)
-- can depend on. The processor passes this filter as `additional_table_filters` for `events`, so
-- the unchanged views (clickhouse/002, 021 and all built on them) deduplicate only these rows instead
-- of the site's whole history. Not a migration: the processor reads this file and writes the
-- values in as literals (a setting's text cannot take query parameters). Sets from clickhouse/024.
--
-- Exact because every predicate is copy-invariant: all deliveries of an event carry the same
-- payload, so the same client `ts`, type, session and order id; a row passes with all its copies
-- or not at all, and each event that passes is deduplicated as the whole history would. (A client
-- that reuses an event_id for another payload breaks that; the SDK never does.)
--  minutes   every event whose first delivery lies in the window has a copy whose event_time lies
--            in it, so its client minute is in window_client_minutes and all its copies pass;
--  sessions  (with_sessions = 1) sessions with an event in those minutes pass whole, so a session
--            started, or a cart decided, in the window has all its events; any other session
--            that shows up has no event in the window, so its start and last cart lie outside;
--  orders    all purchase events of every order that shows up pass, so each order keeps the
--            purchase the whole history keeps (earliest client ts), not a replay.
({site:String} = '' OR site = {site:String})
AND (
    toStartOfMinute(client_ts) IN (
        SELECT minute FROM window_client_minutes(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')}))
    OR ({with_sessions:UInt8} = 1 AND session_id IN (
        SELECT session_id FROM window_sessions(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')})))
    OR (type = 'purchase' AND order_id IN (
        SELECT order_id FROM window_orders(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')},
            with_sessions = {with_sessions:UInt8})))
)
