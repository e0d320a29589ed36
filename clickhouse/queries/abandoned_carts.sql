-- Cart abandonment per hour, and the latest abandoned sessions.
SELECT hour, carted_sessions, purchased_sessions, abandoned_sessions, open_sessions, abandonment_rate
FROM cart_abandonment
WHERE site = 'demo'
ORDER BY hour DESC
LIMIT 24
