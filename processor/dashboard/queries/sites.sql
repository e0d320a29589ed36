-- Sites with events in the last day, busiest first: the dashboard's site picker.
SELECT site, count() AS events
FROM events
WHERE event_time >= now() - INTERVAL 1 DAY
GROUP BY site
ORDER BY events DESC, site
LIMIT 50
