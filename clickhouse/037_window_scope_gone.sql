-- The dashboard and the alerts read the tables kept as events arrive (031-037): nothing filters
-- `counted_events` to the sessions of a window any more (processor/window_scope.sql is gone), so 034's
-- set goes too.
DROP VIEW IF EXISTS window_sessions;
