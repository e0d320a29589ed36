-- Which rows of `counted_events` a question about the window [from, to) of one site ('' = every
-- site) can depend on. The processor passes this filter as `additional_table_filters` for
-- `counted_events`, so the unchanged views built on it (sessions, abandoned_carts, orders, ...) read
-- only these rows instead of the site's whole history. Not a migration: the processor reads this file
-- and writes the values in as literals (a setting's text cannot take query parameters). The set is
-- clickhouse/034's.
--
-- Exact because `counted_events` holds each event once (clickhouse/029, 030):
--  window    the events whose event_time lies in the window;
--  sessions  (with_sessions = 1) sessions with an event in the window pass whole, so a session
--            started, or a cart decided, in the window has all its events; any other session has no
--            event in the window, so its start and last cart lie outside.
({site:String} = '' OR site = {site:String})
AND (
    (event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')})
    OR ({with_sessions:UInt8} = 1 AND session_id IN (
        SELECT session_id FROM window_sessions(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')})))
)
