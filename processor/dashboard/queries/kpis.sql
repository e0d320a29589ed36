-- Headline numbers of the range. Sessions: those that started in it (clickhouse/ sessions);
-- page views: each event_id once, in the minutes that start in the range (clickhouse/ funnel_minutes).
-- Cart abandonment as clickhouse/ cart_abandonment defines it: of the sessions whose last cart event
-- lies in the range, abandoned / (abandoned + purchased), carts younger than 30 minutes still 'open'
-- and not in the rate. Rates are fractions.
WITH
    s AS
    (
        SELECT count() AS sessions, countIf(purchased = 1) AS purchase_sessions
        FROM sessions
        WHERE site = {site:String}
          AND started_at >= {from:DateTime('UTC')}
          AND started_at < {to:DateTime('UTC')}
    ),
    c AS
    (
        SELECT
            count() AS cart_sessions,
            countIf(status = 'abandoned') AS abandoned_sessions,
            countIf(status = 'purchased') AS purchased_carts,
            countIf(status = 'open') AS open_carts
        FROM abandoned_carts
        WHERE site = {site:String}
          AND last_cart_at >= {from:DateTime('UTC')}
          AND last_cart_at < {to:DateTime('UTC')}
    ),
    v AS
    (
        SELECT sum(page_views) AS page_views
        FROM funnel_minutes
        WHERE site = {site:String}
          AND minute >= {from:DateTime('UTC')}
          AND minute < {to:DateTime('UTC')}
    )
SELECT
    sessions,
    purchase_sessions,
    if(sessions = 0, 0, round(purchase_sessions / sessions, 4)) AS conversion_rate,
    page_views,
    cart_sessions,
    abandoned_sessions,
    purchased_carts,
    open_carts,
    if(abandoned_sessions + purchased_carts = 0, 0,
       round(abandoned_sessions / (abandoned_sessions + purchased_carts), 4)) AS cart_abandonment_rate
FROM s, c, v
