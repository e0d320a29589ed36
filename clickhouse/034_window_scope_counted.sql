-- The window scope (processor/window_scope.sql) now filters `counted_events`, where every event is
-- one row (030): an event lies in a window by its own event_time, so 024's client-minute sets and
-- the orders set are no longer needed, nor the client-minute index that served them.
DROP VIEW IF EXISTS window_orders;

DROP VIEW IF EXISTS window_sessions;

DROP VIEW IF EXISTS window_client_minutes;

ALTER TABLE events DROP INDEX IF EXISTS client_minute_minmax;

ALTER TABLE counted_events DROP INDEX IF EXISTS client_minute_minmax;

-- The sessions of the site ('' = every site) with an event in [from, to). Read through merge(): the
-- scope's filter applies to every read of `counted_events` by name, and would otherwise apply here.
CREATE VIEW IF NOT EXISTS window_sessions AS
SELECT DISTINCT session_id
FROM merge('^counted_events$')
WHERE ({site:String} = '' OR site = {site:String})
  AND event_time >= {from:DateTime64(3, 'UTC')}
  AND event_time < {to:DateTime64(3, 'UTC')};
