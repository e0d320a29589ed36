-- Sessions that viewed a product page (/products/{id}), then added to cart, then purchased, in
-- that order (windowFunnel over the event times, all steps within 24 hours of the product view),
-- per hour and per day of the session's first event. Each step counts sessions that reached at
-- least that step, so the numbers only shrink down the funnel.
-- Counts late events (a session is judged whole); duplicates and replayed orders cannot add steps.
CREATE VIEW IF NOT EXISTS session_funnel AS
SELECT
    site,
    period,             -- 'hour' or 'day'
    period_start,
    count() AS sessions,
    countIf(level >= 1) AS viewed_product,
    countIf(level >= 2) AS added_to_cart,
    countIf(level >= 3) AS purchased,
    if(viewed_product = 0, 0, round(added_to_cart / viewed_product, 4)) AS view_to_cart_rate,
    if(added_to_cart = 0, 0, round(purchased / added_to_cart, 4)) AS cart_to_purchase_rate
FROM
(
    SELECT
        site,
        session_id,
        min(event_time) AS started_at,
        windowFunnel(86400000)(
            toUInt64(toUnixTimestamp64Milli(event_time)),
            type = 'page_view' AND extract(url, '/products/([^/?#]+)') != '',
            type = 'add_to_cart',
            type = 'purchase'
        ) AS level
    FROM events_unique
    GROUP BY site, session_id
)
ARRAY JOIN [('hour', toStartOfHour(started_at)), ('day', toStartOfDay(started_at))] AS p
GROUP BY site, p.1 AS period, p.2 AS period_start;
