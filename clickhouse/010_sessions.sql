-- One row per session: when it started and ended (first and last event time), what happened
-- and how it arrived. Entry and exit pages are the paths of the first and last page views;
-- device, browser, referrer domain and UTM source are the landing (first) page view's.
-- Ties in time are broken by event_id. Counts late events; duplicates and replayed orders are
-- removed (events_unique), so `orders` and `revenue` are each order once.
CREATE VIEW IF NOT EXISTS sessions AS
SELECT
    site,
    session_id,
    user_key,
    started_at,
    ended_at,
    (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000 AS duration_s,
    page_views,
    events,
    cart_adds,
    orders,
    toUInt8(orders > 0) AS purchased,
    revenue,            -- Map(currency, amount)
    path(landing.1) AS entry_page,
    path(exit_url) AS exit_page,
    landing.2 AS device_type,
    landing.3 AS browser,
    if(landing.4 = '', '(direct)', domainWithoutWWW(landing.4)) AS referrer_domain,
    if(landing.5 = '', '(none)', landing.5) AS utm_source
FROM
(
    SELECT
        site,
        session_id,
        argMin(user_key, (event_time, event_id)) AS user_key,
        min(event_time) AS started_at,
        max(event_time) AS ended_at,
        countIf(type = 'page_view') AS page_views,
        count() AS events,
        countIf(type = 'add_to_cart') AS cart_adds,
        countIf(type = 'purchase') AS orders,
        sumMapIf(map(toString(currency), revenue), type = 'purchase') AS revenue,
        argMinIf((url, device_type, browser, referrer, toString(utm_source)), (event_time, event_id),
            type = 'page_view') AS landing,
        argMaxIf(url, (event_time, event_id), type = 'page_view') AS exit_url
    FROM events_unique
    GROUP BY site, session_id
);
