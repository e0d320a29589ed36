-- Headline numbers for the range. A session counts when any of its events falls in the range; it
-- is abandoned when it added to cart and has no purchase (in the range). Rates are fractions.
SELECT
    count() AS sessions,
    countIf(carted) AS cart_sessions,
    countIf(carted AND NOT purchased) AS abandoned_sessions,
    if(cart_sessions = 0, 0, round(abandoned_sessions / cart_sessions, 4)) AS cart_abandonment_rate,
    countIf(purchased) AS purchase_sessions,
    if(sessions = 0, 0, round(purchase_sessions / sessions, 4)) AS conversion_rate,
    sum(views) AS page_views
FROM
(
    SELECT
        session_id,
        max(type = 'add_to_cart') AS carted,
        max(type = 'purchase') AS purchased,
        uniqExactIf(event_id, type = 'page_view') AS views
    FROM events
    WHERE site = {site:String}
      AND event_time >= {from:DateTime('UTC')}
      AND event_time < {to:DateTime('UTC')}
    GROUP BY session_id
)
