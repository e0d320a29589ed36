-- Sessions that added to cart, with what became of the cart: 'purchased' when an order followed
-- within 30 minutes of the last cart event (add or remove), 'abandoned' when 30 minutes passed
-- without one, 'open' while the 30 minutes are still running. An order placed before the last
-- cart event does not save a cart changed after it.
CREATE VIEW IF NOT EXISTS abandoned_carts AS
SELECT
    site,
    session_id,
    user_key,
    last_cart_at,
    cart_adds,
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
        countIf(type = 'add_to_cart') AS cart_adds,
        groupArrayIf(event_time, type = 'purchase') AS purchase_times
    FROM events_unique
    WHERE type IN ('add_to_cart', 'remove_from_cart', 'purchase')
    GROUP BY site, session_id
    HAVING cart_adds > 0
);

-- Per hour of the last cart event: carts bought, abandoned and still open, and the abandonment
-- rate among decided carts (abandoned / (abandoned + purchased)). Counts late events.
CREATE VIEW IF NOT EXISTS cart_abandonment AS
SELECT
    site,
    toStartOfHour(last_cart_at) AS hour,
    count() AS carted_sessions,
    countIf(status = 'purchased') AS purchased_sessions,
    countIf(status = 'abandoned') AS abandoned_sessions,
    countIf(status = 'open') AS open_sessions,
    if(abandoned_sessions + purchased_sessions = 0, 0,
        round(abandoned_sessions / (abandoned_sessions + purchased_sessions), 4)) AS abandonment_rate
FROM abandoned_carts
GROUP BY site, hour;
