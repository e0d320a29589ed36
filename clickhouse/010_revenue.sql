-- Orders, units and revenue per minute and currency, summed as orders are counted (each order
-- once, its first purchase: 006_counted_events.sql): a window of any size and hop, a day or a
-- 5-minute bucket is a sum of minutes. `is_late` is part of the key: the live windows leave late orders out, the daily table and
-- the anomaly series count them. So is `utc_offset` (the site's offset at the minute: one value per
-- site and minute, so no row splits): the site's day of a minute is that of minute + utc_offset.
CREATE TABLE IF NOT EXISTS revenue_minutes${LOCAL}
(
    site LowCardinality(String),
    currency LowCardinality(String),
    minute DateTime('UTC'),
    is_late UInt8,
    utc_offset Int32,
    orders UInt64,
    units UInt64,
    revenue Decimal(38, 2)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, currency, minute, is_late, utc_offset);

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_minutes_mv TO revenue_minutes${LOCAL} AS
SELECT
    site,
    currency,
    toStartOfMinute(event_time) AS minute,
    is_late,
    utc_offset,
    count() AS orders,
    toUInt64(sum(arraySum(i -> tupleElement(i, 2), items))) AS units,
    sum(revenue) AS revenue
FROM counted_events${LOCAL}
WHERE type = 'purchase' AND is_replay = 0
GROUP BY site, currency, minute, is_late, utc_offset;

-- Coarser sums chained from the minutes (each view reads the rows a block adds to revenue_minutes,
-- a few per currency and minute), so that long ranges read hundreds of rows, not a row per minute:
-- the anomaly series' 5-minute buckets (late orders counted), and hours for the dashboard's hourly
-- windows (is_late kept: they leave late orders out).
CREATE TABLE IF NOT EXISTS revenue_five_minutes${LOCAL}
(
    site LowCardinality(String),
    currency LowCardinality(String),
    bucket_start DateTime('UTC'),
    orders UInt64,
    revenue Decimal(38, 2)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket_start)
ORDER BY (site, currency, bucket_start);

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_five_minutes_mv TO revenue_five_minutes${LOCAL} AS
SELECT site, currency, toStartOfFiveMinutes(minute) AS bucket_start, sum(orders) AS orders, sum(revenue) AS revenue
FROM revenue_minutes${LOCAL}
GROUP BY site, currency, bucket_start;

CREATE TABLE IF NOT EXISTS revenue_hours${LOCAL}
(
    site LowCardinality(String),
    currency LowCardinality(String),
    hour DateTime('UTC'),
    is_late UInt8,
    orders UInt64,
    units UInt64,
    revenue Decimal(38, 2)
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site, currency, hour, is_late);

CREATE MATERIALIZED VIEW IF NOT EXISTS revenue_hours_mv TO revenue_hours${LOCAL} AS
SELECT site, currency, toStartOfHour(minute) AS hour, is_late, sum(orders) AS orders, sum(units) AS units,
    sum(revenue) AS revenue
FROM revenue_minutes${LOCAL}
GROUP BY site, currency, hour, is_late;

-- Revenue per minute and currency of the on-time orders: what the hopping windows add up.
CREATE VIEW IF NOT EXISTS revenue_1m AS
SELECT site, currency, minute, sum(orders) AS orders, sum(units) AS units, sum(revenue) AS revenue
FROM revenue_minutes
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

-- Orders per day of the site's time zone and currency, late orders included (late_orders: how many of them).
CREATE VIEW IF NOT EXISTS daily_orders AS
SELECT
    site,
    day,
    currency,
    orders,
    revenue,
    units,
    round(toDecimal128(revenue, 6) / orders, 2) AS aov,
    late_orders
FROM
(
    SELECT
        site,
        toDate(minute + toIntervalSecond(utc_offset)) AS day,
        currency,
        sum(orders) AS orders,
        sum(revenue) AS revenue,
        sum(units) AS units,
        sumIf(orders_of_minute, is_late = 1) AS late_orders
    FROM (SELECT *, orders AS orders_of_minute FROM revenue_minutes)
    GROUP BY site, day, currency
);

-- The anomaly series for one site ('' = every site) and the buckets that start in [from, to), read
-- from the 24 hours before `from` on instead of from the site's first order: a bucket's z-score looks back
-- 288 buckets only, and the series is zero-filled from max(first order, from - 24 h), so every bucket of
-- the range gets the trailing window and `history` count it gets over the whole series (the whole series
-- took 40-60 ms of CPU at 10M events), summed from revenue_five_minutes (a month and a day are ~9k
-- buckets per currency instead of ~45k minutes). The revenue alert reads it (the dashboard's markers
-- are the same scores, flat: processor/dashboard/queries/revenue_anomalies.sql); `revenue_anomalies`
-- is the same over every site and bucket.
CREATE VIEW IF NOT EXISTS revenue_anomalies_between AS
SELECT
    site,
    currency,
    bucket_start,
    revenue,
    orders,
    round(mean_revenue, 2) AS trailing_mean_revenue,
    round(sd_revenue, 2) AS trailing_stddev_revenue,
    if(history < 12 OR sd_revenue = 0, NULL, round((toFloat64(revenue) - mean_revenue) / sd_revenue, 4)) AS revenue_z,
    if(history < 12 OR sd_orders = 0, NULL, round((orders - mean_orders) / sd_orders, 4)) AS orders_z,
    toUInt8(revenue_z IS NOT NULL AND abs(revenue_z) >= 3) AS flagged
FROM
(
    SELECT
        g.site AS site,
        g.currency AS currency,
        g.bucket_start AS bucket_start,
        toDecimal128(b.revenue, 2) AS revenue,
        toUInt64(b.orders) AS orders,
        count() OVER w AS history,
        avg(toFloat64(b.revenue)) OVER w AS mean_revenue,
        stddevPop(toFloat64(b.revenue)) OVER w AS sd_revenue,
        avg(toFloat64(b.orders)) OVER w AS mean_orders,
        stddevPop(toFloat64(b.orders)) OVER w AS sd_orders
    FROM
    (
        -- Every bucket from the later of the first with an order and 24 h before the range, to the last
        -- closed one that starts before `to`.
        SELECT
            site,
            currency,
            toDateTime(arrayJoin(range(
                toUnixTimestamp(greatest(
                    min(f.bucket_start),
                    toStartOfFiveMinutes({from:DateTime('UTC')}) - INTERVAL 1440 MINUTE)),
                toUnixTimestamp(least(toStartOfFiveMinutes(now()), {to:DateTime('UTC')})),
                300)), 'UTC') AS bucket_start
        FROM revenue_five_minutes AS f
        WHERE {site:String} = '' OR site = {site:String}
        GROUP BY site, currency
    ) AS g
    LEFT JOIN
    (
        -- Whole buckets, also the one holding `to`, as over the whole series.
        SELECT site, currency, bucket_start, sum(orders) AS orders, sum(revenue) AS revenue
        FROM revenue_five_minutes
        WHERE ({site:String} = '' OR site = {site:String})
          AND bucket_start >= toStartOfFiveMinutes({from:DateTime('UTC')}) - INTERVAL 1440 MINUTE
          AND bucket_start < toStartOfFiveMinutes({to:DateTime('UTC')}) + INTERVAL 5 MINUTE
        GROUP BY site, currency, bucket_start
    ) AS b ON b.site = g.site AND b.currency = g.currency AND b.bucket_start = g.bucket_start
    WINDOW w AS (PARTITION BY g.site, g.currency ORDER BY g.bucket_start ROWS BETWEEN 288 PRECEDING AND 1 PRECEDING)
)
WHERE bucket_start >= {from:DateTime('UTC')};

-- From 1970-01-02: 24 hours earlier must still be a DateTime.
CREATE VIEW IF NOT EXISTS revenue_anomalies AS
SELECT *
FROM revenue_anomalies_between(
    site = '', from = toDateTime('1970-01-02 00:00:00', 'UTC'), to = toDateTime('2106-01-01 00:00:00', 'UTC'));
