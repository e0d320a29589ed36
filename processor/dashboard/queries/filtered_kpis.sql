-- kpis.sql for the visits `?filter=` keeps (clickhouse/ filtered_sessions), with its rules, from
-- those sessions' states (clickhouse/ filtered_session_states: start, purchase, last cart event and
-- orders) and counted page views: sessions that started in the minutes that start in the range and
-- those of them with an order (ever); page views of those minutes; of the sessions whose last cart event lies in the range,
-- abandoned / (abandoned + purchased), carts younger than 30 minutes at the range's end still 'open'.
WITH
    s AS
    (
        SELECT
            countIf(toStartOfMinute(g.started_at) >= {from:DateTime('UTC')}
                AND toStartOfMinute(g.started_at) < {to:DateTime('UTC')}) AS sessions,
            countIf(toStartOfMinute(g.started_at) >= {from:DateTime('UTC')}
                AND toStartOfMinute(g.started_at) < {to:DateTime('UTC')} AND g.purchased = 1) AS purchase_sessions,
            -- A cart 'purchased': an order within 30 minutes after the session's last cart event.
            countIf(g.cart_adds > 0 AND g.last_cart_at >= {from:DateTime('UTC')}
                AND g.last_cart_at < {to:DateTime('UTC')}) AS cart_sessions,
            countIf(g.cart_adds > 0 AND g.last_cart_at >= {from:DateTime('UTC')} AND g.last_cart_at < {to:DateTime('UTC')}
                AND arrayExists(t -> t >= g.last_cart_at AND t <= g.last_cart_at + INTERVAL 30 MINUTE, g.purchase_times))
                AS purchased,
            countIf(g.cart_adds > 0 AND g.last_cart_at >= {from:DateTime('UTC')} AND g.last_cart_at < {to:DateTime('UTC')}
                AND NOT arrayExists(t -> t >= g.last_cart_at AND t <= g.last_cart_at + INTERVAL 30 MINUTE, g.purchase_times)
                AND g.last_cart_at + INTERVAL 30 MINUTE <= {to:DateTime('UTC')}) AS abandoned_sessions
        FROM filtered_session_states(site = {site:String}, filter_dim = {filter_dim:String},
            filter_value = {filter_value:String}) AS g
    ),
    v AS
    (
        SELECT count() AS page_views
        FROM counted_events
        WHERE site = {site:String} AND type = 'page_view' AND is_replay = 0
          AND toStartOfMinute(event_time) >= {from:DateTime('UTC')}
          AND toStartOfMinute(event_time) < {to:DateTime('UTC')}
          AND session_id IN (SELECT session_id FROM filtered_sessions(site = {site:String}, filter_dim = {filter_dim:String},
              filter_value = {filter_value:String}))
    )
SELECT
    sessions,
    purchase_sessions,
    if(sessions = 0, 0, round(purchase_sessions / sessions, 4)) AS conversion_rate,
    page_views,
    cart_sessions,
    abandoned_sessions,
    purchased AS purchased_carts,
    cart_sessions - purchased - abandoned_sessions AS open_carts,
    if(abandoned_sessions + purchased = 0, 0,
       round(abandoned_sessions / (abandoned_sessions + purchased), 4)) AS cart_abandonment_rate
FROM s, v
