-- How much arrived late, and how many deliveries were duplicates, per hour.
SELECT
    toStartOfHour(event_time) AS hour,
    count() AS events,
    countIf(is_late = 1) AS late,
    sum(deliveries) - count() AS duplicate_deliveries
FROM events_by_id
WHERE site = 'demo'
GROUP BY hour
ORDER BY hour DESC
