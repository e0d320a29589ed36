-- Page and user views, read at query time from events_unique (every event once, no replays).

-- Page views broken down one dimension at a time: `dimension` is 'page_path', 'device_type',
-- 'browser', 'referrer_domain' or 'utm_source' and `value` its value. Path, device type and
-- browser are the page view's own; referrer domain and UTM source are the session's landing page
-- view's ('(direct)' / '(none)' when absent), so every page of a visit is credited to how the
-- visit arrived. browser is 'unknown' until the collector enriches events with it.
-- sessions: distinct sessions with such a page view; bounced_sessions: those of them with exactly
-- one page view in the whole session; bounce_rate = bounced_sessions / sessions.
-- Counts late events; duplicates cannot add views.
CREATE VIEW IF NOT EXISTS pageview_metrics AS
SELECT
    site,
    dim.1 AS dimension,
    dim.2 AS value,
    count() AS views,
    uniqExact(pv.2) AS unique_visitors,
    uniqExact(session_id) AS sessions,
    uniqExactIf(session_id, session_page_views = 1) AS bounced_sessions,
    if(sessions = 0, 0, round(bounced_sessions / sessions, 4)) AS bounce_rate
FROM
(
    SELECT
        site,
        session_id,
        count() AS session_page_views,
        groupArray((path(url), user_key, toString(device_type), if(browser = '', 'unknown', toString(browser)))) AS pvs,
        argMin((referrer, toString(utm_source)), (event_time, event_id)) AS landing
    FROM events_unique
    WHERE type = 'page_view'
    GROUP BY site, session_id
)
ARRAY JOIN pvs AS pv
ARRAY JOIN [
    ('page_path', pv.1),
    ('device_type', pv.3),
    ('browser', pv.4),
    ('referrer_domain', if(landing.1 = '', '(direct)', domainWithoutWWW(landing.1))),
    ('utm_source', if(landing.2 = '', '(none)', landing.2))
] AS dim
GROUP BY site, dimension, value;

-- One row per site and user_key (the signed-in user_id, else the browser's anonymous id, else the
-- session; the same person signed in and signed out is two keys: no identity stitching).
-- lifetime_value: Map(currency, amount) of their orders. Account attributes come from `users`
-- when user_key is a known user_id. Counts late events; each event and order once.
CREATE VIEW IF NOT EXISTS dim_user AS
SELECT
    a.site AS site,
    a.user_key AS user_key,
    a.user_id AS user_id,
    a.first_seen AS first_seen,
    a.last_seen AS last_seen,
    a.sessions AS sessions,
    a.page_views AS page_views,
    a.orders AS orders,
    a.lifetime_value AS lifetime_value,
    u.country AS country,
    u.language AS language,
    u.currency AS account_currency
FROM
(
    SELECT
        site,
        user_key,
        max(user_id) AS user_id,
        min(event_time) AS first_seen,
        max(event_time) AS last_seen,
        uniqExact(session_id) AS sessions,
        countIf(type = 'page_view') AS page_views,
        countIf(type = 'purchase') AS orders,
        sumMapIf(map(toString(currency), revenue), type = 'purchase') AS lifetime_value
    FROM events_unique
    GROUP BY site, user_key
) AS a
LEFT JOIN (SELECT user_id, country, language, currency FROM users FINAL) AS u
    ON u.user_id = a.user_key;
