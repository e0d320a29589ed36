-- Headline numbers of the range, from tables kept as events arrive (clickhouse/ session_starts,
-- cart_minutes and cart_states, funnel_minutes): sessions that started in the minutes that start in
-- the range and those of them with an order (ever); page views of those minutes, each event_id once;
-- and cart abandonment as clickhouse/ cart_abandonment defines it: of the sessions whose last cart
-- event lies in the range, abandoned / (abandoned + purchased), carts younger than 30 minutes at the
-- range's end still 'open' and not in the rate. The range's end, not now(): the numbers are those of
-- the range the refresh asked for, as the other panels' are. Rates are fractions.
-- Carts are summed per minute of their last cart event (cart_minutes) where a whole minute is in the
-- range and its carts are all open or all decided at the range's end; the rest (the range's partial
-- first and last minutes, and the minute whose carts turn 30 minutes old at its end) is read cart by
-- cart (cart_states), so a month reads ~43k minutes instead of every carted session.
WITH
    toStartOfMinute({from:DateTime('UTC')} + 59) AS first_minute,
    toStartOfMinute({to:DateTime('UTC')}) AS end_minute,
    toStartOfMinute({to:DateTime('UTC')} - INTERVAL 30 MINUTE) AS turning_minute,
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
            sumIf(carts - purchased_carts, decided) AS abandoned_sessions,
            sum(purchased_carts) AS purchased,
            sumIf(carts - purchased_carts, NOT decided) AS open_carts
        FROM
        (
            SELECT carts, purchased_carts, minute < turning_minute AS decided
            FROM cart_minutes
            WHERE site = {site:String}
              AND minute >= first_minute
              AND minute < end_minute
              AND minute != turning_minute
            UNION ALL
            SELECT carts, purchased_carts, last_cart_at + INTERVAL 30 MINUTE <= {to:DateTime('UTC')} AS decided
            FROM cart_states
            WHERE site = {site:String}
              AND last_cart_at >= {from:DateTime('UTC')}
              AND last_cart_at < {to:DateTime('UTC')}
              AND (last_cart_at < first_minute OR last_cart_at >= end_minute
                   OR (last_cart_at >= turning_minute AND last_cart_at < turning_minute + INTERVAL 1 MINUTE))
        )
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
