-- Per-session views, read at query time from events_unique (every event once, no replays).

-- Sessions that viewed a product, then added to cart, then began a checkout, then purchased, in that
-- order (windowFunnel over the event times, all steps within 24 hours of the product view), per hour
-- and per day of the site's time zone of the session's first event (period_start: its UTC start). A product view is a product_view event or a page view its
-- site's URL patterns gave a product_id. Each step counts sessions that reached at least that step,
-- so the numbers only shrink down the funnel; the rates are each step's to the next (every session
-- has the page-view step), and the two of the three-step funnel this one grew from.
-- Counts late events (a session is judged whole); duplicates and replayed orders cannot add steps.
CREATE VIEW IF NOT EXISTS session_funnel AS
SELECT
    site,
    period,             -- 'hour' or 'day'
    period_start,
    count() AS sessions,
    countIf(level >= 1) AS viewed_product,
    countIf(level >= 2) AS added_to_cart,
    countIf(level >= 3) AS began_checkout,
    countIf(level >= 4) AS purchased,
    if(viewed_product = 0, 0, round(added_to_cart / viewed_product, 4)) AS view_to_cart_rate,
    if(added_to_cart = 0, 0, round(purchased / added_to_cart, 4)) AS cart_to_purchase_rate,
    round(viewed_product / sessions, 4) AS view_to_product_rate,
    view_to_cart_rate AS product_to_cart_rate,
    if(added_to_cart = 0, 0, round(began_checkout / added_to_cart, 4)) AS cart_to_checkout_rate,
    if(began_checkout = 0, 0, round(purchased / began_checkout, 4)) AS checkout_to_purchase_rate
FROM
(
    SELECT
        site,
        session_id,
        min(event_time) AS started_at,
        argMin(utc_offset, event_time) AS start_offset,
        windowFunnel(86400000)(
            toUInt64(toUnixTimestamp64Milli(event_time)),
            type = 'product_view' OR (type = 'page_view' AND product_id != ''),
            type = 'add_to_cart',
            type = 'begin_checkout',
            type = 'purchase'
        ) AS level
    FROM events_unique
    GROUP BY site, session_id
)
ARRAY JOIN [
    ('hour', toStartOfHour(started_at + toIntervalSecond(start_offset)) - toIntervalSecond(start_offset)),
    ('day', toStartOfDay(started_at + toIntervalSecond(start_offset)) - toIntervalSecond(start_offset))] AS p
GROUP BY site, p.1 AS period, p.2 AS period_start;

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

-- Sessions that added to cart, with what became of the cart: 'purchased' when an order followed
-- within 30 minutes of the last cart event (add or remove), 'abandoned' when 30 minutes passed
-- without one, 'open' while the 30 minutes are still running. An order placed before the last
-- cart event does not save a cart changed after it. last_cart_hour: the site's hour of the last cart
-- event (its UTC start). checkout_started: the session began a checkout
-- (a begin_checkout event); an abandoned cart of such a session is an abandoned checkout.
CREATE VIEW IF NOT EXISTS abandoned_carts AS
SELECT
    site,
    session_id,
    user_key,
    last_cart_at,
    toStartOfHour(last_cart_at + toIntervalSecond(last_cart_offset)) - toIntervalSecond(last_cart_offset) AS last_cart_hour,
    cart_adds,
    checkout_started,
    multiIf(
        arrayExists(t -> t >= last_cart_at AND t <= last_cart_at + toIntervalMinute(30), purchase_times), 'purchased',
        now64(3, 'UTC') >= last_cart_at + toIntervalMinute(30), 'abandoned',
        'open') AS status
FROM
(
    SELECT
        site,
        session_id,
        argMin(user_key, (event_time, event_id)) AS user_key,
        maxIf(event_time, type IN ('add_to_cart', 'remove_from_cart')) AS last_cart_at,
        argMaxIf(utc_offset, event_time, type IN ('add_to_cart', 'remove_from_cart')) AS last_cart_offset,
        countIf(type = 'add_to_cart') AS cart_adds,
        toUInt8(countIf(type = 'begin_checkout') > 0) AS checkout_started,
        groupArrayIf(event_time, type = 'purchase') AS purchase_times
    FROM events_unique
    WHERE type IN ('add_to_cart', 'remove_from_cart', 'begin_checkout', 'purchase')
    GROUP BY site, session_id
    HAVING cart_adds > 0
);

-- Per hour of the site's time zone of the last cart event (its UTC start): carts bought, abandoned and still open, and the abandonment
-- rate among decided carts (abandoned / (abandoned + purchased)). The abandoned ones split into
-- those left in the cart and those left in a checkout the session began. Counts late events.
CREATE VIEW IF NOT EXISTS cart_abandonment AS
SELECT
    site,
    last_cart_hour AS hour,
    count() AS carted_sessions,
    countIf(status = 'purchased') AS purchased_sessions,
    countIf(status = 'abandoned') AS abandoned_sessions,
    countIf(status = 'abandoned' AND checkout_started = 0) AS cart_abandoned_sessions,
    countIf(status = 'abandoned' AND checkout_started = 1) AS checkout_abandoned_sessions,
    countIf(status = 'open') AS open_sessions,
    if(abandoned_sessions + purchased_sessions = 0, 0,
        round(abandoned_sessions / (abandoned_sessions + purchased_sessions), 4)) AS abandonment_rate
FROM abandoned_carts
GROUP BY site, hour;
