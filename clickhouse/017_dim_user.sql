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
