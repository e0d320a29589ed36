-- What the processor needs to read a window of one site without deduplicating its whole history
-- (processor/window_scope.sql explains the filter these serve and why it is exact).
-- Copies of an event share the client's `ts`, so grouping by it changes no group; this index on
-- its minute lets a set of minutes skip the granules that hold none of them. Rows are sorted by
-- (site, type, event_time) and most clients' clocks are close, so the granules of a window are
-- few and contiguous.
ALTER TABLE events
    ADD INDEX IF NOT EXISTS client_minute_minmax toStartOfMinute(client_ts) TYPE minmax GRANULARITY 1;

ALTER TABLE events MATERIALIZE INDEX client_minute_minmax;

-- The sets below read `events` through merge(): the filter they feed applies to every read of
-- `events` by name, and would otherwise apply to them too.

-- The client minutes of the site's rows ('' = every site) whose event_time lies in [from, to).
CREATE VIEW IF NOT EXISTS window_client_minutes AS
SELECT DISTINCT toStartOfMinute(client_ts) AS minute
FROM merge('^events$')
WHERE ({site:String} = '' OR site = {site:String})
  AND event_time >= {from:DateTime64(3, 'UTC')}
  AND event_time < {to:DateTime64(3, 'UTC')};

-- The sessions with an event in those minutes.
CREATE VIEW IF NOT EXISTS window_sessions AS
SELECT DISTINCT session_id
FROM merge('^events$')
WHERE ({site:String} = '' OR site = {site:String})
  AND toStartOfMinute(client_ts) IN (
      SELECT minute FROM window_client_minutes(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')}));

-- The orders of the purchases in those minutes, or (with_sessions = 1) in those sessions.
CREATE VIEW IF NOT EXISTS window_orders AS
SELECT DISTINCT order_id
FROM merge('^events$')
WHERE ({site:String} = '' OR site = {site:String})
  AND type = 'purchase'
  AND (toStartOfMinute(client_ts) IN (
          SELECT minute FROM window_client_minutes(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')}))
       OR ({with_sessions:UInt8} = 1 AND session_id IN (
          SELECT session_id FROM window_sessions(
            site = {site:String},
            from = {from:DateTime64(3, 'UTC')},
            to = {to:DateTime64(3, 'UTC')}))));
