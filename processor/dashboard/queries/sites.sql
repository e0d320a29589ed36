-- Sites with events received in the last day, busiest first: the dashboard's site picker
-- (clickhouse/ ingest_minutes).
SELECT site, sum(events) AS events
FROM ingest_minutes
WHERE minute >= now() - INTERVAL 1 DAY
GROUP BY site
ORDER BY events DESC, site
LIMIT 50
