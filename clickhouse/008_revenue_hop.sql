-- Revenue per minute and currency: the mergeable per-minute state the hopping windows add up.
-- Orders are deduplicated on order_id (see `orders`); late orders are left out (see late_events).
CREATE VIEW IF NOT EXISTS revenue_1m AS
SELECT
    site,
    currency,
    toStartOfMinute(event_time) AS minute,
    count() AS orders,
    sum(units) AS units,
    sum(revenue) AS revenue
FROM orders
WHERE is_late = 0
GROUP BY site, currency, minute;

-- Sliding windows of `size_minutes` advancing every `hop_minutes`, per currency:
--   SELECT * FROM revenue_hop(size_minutes = 5, hop_minutes = 1)
-- Window starts are aligned to multiples of the hop since the epoch. Each minute row is fanned
-- out to every window that contains it, then summed: sums merge exactly, so each window equals
-- a direct count over its minutes. Only windows with at least one order appear.
-- aov: revenue / orders rounded half away from zero to the cent.
CREATE VIEW IF NOT EXISTS revenue_hop AS
SELECT
    site,
    currency,
    window_start,
    window_start + toIntervalMinute({size_minutes:UInt32}) AS window_end,
    sum(m_orders) AS orders,
    sum(m_units) AS units,
    sum(m_revenue) AS revenue,
    round(toDecimal128(revenue, 6) / orders, 2) AS aov
FROM
(
    SELECT
        site,
        currency,
        orders AS m_orders,
        units AS m_units,
        revenue AS m_revenue,
        toDateTime(arrayJoin(arrayFilter(
            s -> s + {size_minutes:UInt32} * 60 > toUnixTimestamp(minute),
            arrayMap(
                j -> intDiv(toUnixTimestamp(minute), {hop_minutes:UInt32} * 60) * {hop_minutes:UInt32} * 60
                    - j * {hop_minutes:UInt32} * 60,
                range(intDiv({size_minutes:UInt32} + {hop_minutes:UInt32} - 1, {hop_minutes:UInt32}))
            )
        )), 'UTC') AS window_start
    FROM revenue_1m
)
GROUP BY site, currency, window_start;
