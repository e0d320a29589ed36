-- Headline numbers per UTC hour of event time: visitors (distinct users with a page view),
-- sessions (distinct sessions with any event in the hour), page views, orders, converting
-- sessions (with an order in the hour), conversion_rate = converting_sessions / sessions, revenue
-- and aov per currency (Maps; aov rounded half away from zero to the cent). Counts late events.
CREATE VIEW IF NOT EXISTS hourly_kpis AS
SELECT
    site,
    hour,
    visitors,
    sessions,
    page_views,
    orders,
    converting_sessions,
    if(sessions = 0, 0, round(converting_sessions / sessions, 4)) AS conversion_rate,
    revenue,
    mapApply((c, r) -> (c, round(toDecimal128(r, 6) / orders_by_currency[c], 2)), revenue) AS aov
FROM
(
    SELECT
        site,
        toStartOfHour(event_time) AS hour,
        uniqExactIf(user_key, type = 'page_view') AS visitors,
        uniqExact(session_id) AS sessions,
        countIf(type = 'page_view') AS page_views,
        countIf(type = 'purchase') AS orders,
        uniqExactIf(session_id, type = 'purchase') AS converting_sessions,
        sumMapIf(map(toString(currency), revenue), type = 'purchase') AS revenue,
        sumMapIf(map(toString(currency), toUInt64(1)), type = 'purchase') AS orders_by_currency
    FROM events_unique
    GROUP BY site, hour
);
