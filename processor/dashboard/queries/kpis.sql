-- Headline numbers of the range, from tables kept as events arrive (clickhouse/ session_starts,
-- cart_states, funnel_minutes): sessions that started in the minutes that start in the range and
-- those of them with an order (ever); page views of those minutes, each event_id once; and cart
-- abandonment as clickhouse/ cart_abandonment defines it: of the sessions whose last cart event lies
-- in the range, abandoned / (abandoned + purchased), carts younger than 30 minutes at the range's end
-- still 'open' and not in the rate. The range's end, not now(): the numbers are those of the range
-- the refresh asked for, as the other panels' are. Rates are fractions.
WITH
    s AS
    (
        SELECT sum(sessions) AS sessions, sum(purchase_sessions) AS purchase_sessions
        FROM session_starts
        WHERE site = {site:String}
          AND minute >= {from:DateTime('UTC')}
          AND minute < {to:DateTime('UTC')}
    ),
    c AS
    (
        SELECT
            sum(carts) AS cart_sessions,
            sumIf(carts - purchased_carts, last_cart_at + INTERVAL 30 MINUTE <= {to:DateTime('UTC')}) AS abandoned_sessions,
            sum(purchased_carts) AS purchased,
            sumIf(carts - purchased_carts, last_cart_at + INTERVAL 30 MINUTE > {to:DateTime('UTC')}) AS open_carts
        FROM cart_states
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
    purchased AS purchased_carts,
    open_carts,
    if(abandoned_sessions + purchased = 0, 0,
       round(abandoned_sessions / (abandoned_sessions + purchased), 4)) AS cart_abandonment_rate
FROM s, c, v
