-- Per hour of the site's time zone (its start, a UTC instant: a zone half an hour off UTC has hours
-- that begin at :30), late events counted: the funnel of ranges over a day and the hourly KPIs.
--
-- The hourly funnel over long ranges without merging a month of states at each read: merging 720
-- hours of uniqExact states (3 steps, every user of each hour) took seconds at 10M events. A
-- refreshable view writes each hour's distinct counts once its states stop changing, and `funnel_1h`
-- reads those counts where they are current, merging states only for the hours that changed since.
-- Exact at every read: a count is used only when it was computed from every row its hour has now.
CREATE TABLE IF NOT EXISTS traffic_hours${LOCAL}
(
    site LowCardinality(String),
    hour DateTime('UTC'),
    visitors AggregateFunction(uniqExact, String),
    product_viewers AggregateFunction(uniqExact, String),
    carters AggregateFunction(uniqExact, String),
    checkout_starters AggregateFunction(uniqExact, String),
    purchasers AggregateFunction(uniqExact, String),
    sessions AggregateFunction(uniqExact, String),
    converting_sessions AggregateFunction(uniqExact, String),
    page_views SimpleAggregateFunction(sum, UInt64),
    orders SimpleAggregateFunction(sum, UInt64),
    -- Order revenue and order count per currency.
    revenue SimpleAggregateFunction(sumMap, Map(String, Decimal(38, 2))),
    orders_by_currency SimpleAggregateFunction(sumMap, Map(String, UInt64)),
    -- How many rows were ever inserted for the hour (each inserted row brings 1, its DEFAULT, which
    -- traffic_hours_mv leaves to the table; merges add them up): it changes with every block that
    -- touches the hour, so it versions the hour's states for funnel_hour_counts.
    inserts SimpleAggregateFunction(sum, UInt64) DEFAULT 1
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour)
-- A row holds every user and session of its hour (~200 KB at 10M events a month): the dashboard
-- merges the states of the hours changed since funnel_hour_counts counted them (the current one),
-- and a default granule (cut at 10 MB, ~45 hours) would deserialize 45 hours for that one.
SETTINGS index_granularity = 4;

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_hours_mv TO traffic_hours${LOCAL} AS
SELECT
    site,
    toStartOfHour(event_time + toIntervalSecond(utc_offset)) - toIntervalSecond(utc_offset) AS hour,
    uniqExactStateIf(user_key, type = 'page_view') AS visitors,
    -- A product view: a product_view event, or a page view its site's URL patterns gave a product_id.
    uniqExactStateIf(user_key, type = 'product_view' OR (type = 'page_view' AND product_id != '')) AS product_viewers,
    uniqExactStateIf(user_key, type = 'add_to_cart') AS carters,
    uniqExactStateIf(user_key, type = 'begin_checkout') AS checkout_starters,
    uniqExactStateIf(user_key, type = 'purchase') AS purchasers,
    uniqExactState(session_id) AS sessions,
    uniqExactStateIf(session_id, type = 'purchase') AS converting_sessions,
    toUInt64(countIf(type = 'page_view')) AS page_views,
    toUInt64(countIf(type = 'purchase')) AS orders,
    sumMapIf(map(toString(currency), toDecimal128(revenue, 2)), type = 'purchase') AS revenue,
    sumMapIf(map(toString(currency), toUInt64(1)), type = 'purchase') AS orders_by_currency
FROM counted_events${LOCAL}
WHERE is_replay = 0
GROUP BY site, hour;

-- Distinct users per hour and step, with the `inserts` they were computed at.
CREATE TABLE IF NOT EXISTS funnel_hour_counts
(
    site LowCardinality(String),
    hour DateTime('UTC'),
    viewers UInt64,
    product_viewers UInt64,
    carters UInt64,
    checkout_starters UInt64,
    purchasers UInt64,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (site, hour);

-- Every 5 s, the hours whose states changed since their count: recounted from one snapshot of the
-- states (counts and version read together). A failed refresh shows in system.view_refreshes; reads
-- stay exact meanwhile (stale hours are merged when read).
CREATE MATERIALIZED VIEW IF NOT EXISTS funnel_hour_counts_mv
REFRESH EVERY 5 SECOND APPEND TO funnel_hour_counts AS
SELECT
    site,
    hour,
    uniqExactMerge(visitors) AS viewers,
    uniqExactMerge(product_viewers) AS product_viewers,
    uniqExactMerge(carters) AS carters,
    uniqExactMerge(checkout_starters) AS checkout_starters,
    uniqExactMerge(purchasers) AS purchasers,
    sum(inserts) AS version
FROM traffic_hours
WHERE (site, hour) IN
(
    SELECT site, hour
    FROM (SELECT site, hour, sum(inserts) AS version FROM traffic_hours GROUP BY site, hour) AS now_
    LEFT JOIN (SELECT site, hour, max(version) AS counted FROM funnel_hour_counts GROUP BY site, hour) AS c
        USING (site, hour)
    WHERE c.counted != now_.version
)
GROUP BY site, hour;

-- The hourly funnel for one site ('' = every site) and the hours that overlap [from, to), with
-- the range in every read: the dashboard's 7 days compare 168 versions instead of the whole history's, and
-- a shorter range asks for no hours at all (from = to) instead of computing the view and filtering it away.
-- Each hour from exactly one branch, the stored count while current, else the states.
CREATE VIEW IF NOT EXISTS funnel_1h_between AS
SELECT
    site,
    window_start,
    viewers,
    product_viewers,
    carters,
    checkout_starters,
    purchasers,
    if(viewers = 0, 0, round(carters / viewers, 4)) AS view_to_cart_rate,
    if(carters = 0, 0, round(purchasers / carters, 4)) AS cart_to_buy_rate,
    if(viewers = 0, 0, round(product_viewers / viewers, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate
FROM
(
    SELECT site, hour AS window_start, argMax(viewers, version) AS viewers,
        argMax(product_viewers, version) AS product_viewers, argMax(carters, version) AS carters,
        argMax(checkout_starters, version) AS checkout_starters, argMax(purchasers, version) AS purchasers
    FROM funnel_hour_counts
    WHERE ({site:String} = '' OR site = {site:String})
      AND hour >= toStartOfHour({from:DateTime('UTC')}) AND hour < {to:DateTime('UTC')}
      AND (site, hour) NOT IN
    (
        SELECT site, hour
        FROM
        (
            SELECT site, hour, sum(inserts) AS version
            FROM traffic_hours
            WHERE ({site:String} = '' OR site = {site:String})
              AND hour >= toStartOfHour({from:DateTime('UTC')}) AND hour < {to:DateTime('UTC')}
            GROUP BY site, hour
        ) AS now_
        LEFT JOIN
        (
            SELECT site, hour, max(version) AS counted
            FROM funnel_hour_counts
            WHERE ({site:String} = '' OR site = {site:String})
              AND hour >= toStartOfHour({from:DateTime('UTC')}) AND hour < {to:DateTime('UTC')}
            GROUP BY site, hour
        ) AS c USING (site, hour)
        WHERE c.counted != now_.version
    )
    GROUP BY site, hour
    UNION ALL
    SELECT site, hour AS window_start, uniqExactMerge(visitors) AS viewers,
        uniqExactMerge(product_viewers) AS product_viewers, uniqExactMerge(carters) AS carters,
        uniqExactMerge(checkout_starters) AS checkout_starters, uniqExactMerge(purchasers) AS purchasers
    FROM traffic_hours
    WHERE ({site:String} = '' OR site = {site:String})
      AND hour >= toStartOfHour({from:DateTime('UTC')}) AND hour < {to:DateTime('UTC')}
      AND (site, hour) IN
    (
        SELECT site, hour
        FROM
        (
            SELECT site, hour, sum(inserts) AS version
            FROM traffic_hours
            WHERE ({site:String} = '' OR site = {site:String})
              AND hour >= toStartOfHour({from:DateTime('UTC')}) AND hour < {to:DateTime('UTC')}
            GROUP BY site, hour
        ) AS now_
        LEFT JOIN
        (
            SELECT site, hour, max(version) AS counted
            FROM funnel_hour_counts
            WHERE ({site:String} = '' OR site = {site:String})
              AND hour >= toStartOfHour({from:DateTime('UTC')}) AND hour < {to:DateTime('UTC')}
            GROUP BY site, hour
        ) AS c USING (site, hour)
        WHERE c.counted != now_.version
    )
    GROUP BY site, hour
);

-- The funnel per hour (late events counted), every site and hour.
CREATE VIEW IF NOT EXISTS funnel_1h AS
SELECT *
FROM funnel_1h_between(site = '', from = toDateTime(0, 'UTC'), to = toDateTime('2106-01-01 00:00:00', 'UTC'));

-- Headline numbers per hour of the site: see clickhouse/README.md, hourly_kpis.
CREATE VIEW IF NOT EXISTS hourly_kpis AS
SELECT
    site,
    hour,
    visitors,
    sessions,
    page_views,
    orders,
    converting_sessions,
    if(sessions = 0, 0, round(converting_sessions / sessions, 4)) AS conversion_rate,
    revenue,
    mapApply((c, r) -> (c, round(toDecimal128(r, 6) / orders_by_currency[c], 2)), revenue) AS aov
FROM
(
    SELECT
        site,
        hour,
        uniqExactMerge(visitors) AS visitors,
        uniqExactMerge(sessions) AS sessions,
        sum(page_views) AS page_views,
        sum(orders) AS orders,
        uniqExactMerge(converting_sessions) AS converting_sessions,
        sumMap(revenue) AS revenue,
        sumMap(orders_by_currency) AS orders_by_currency
    FROM traffic_hours
    GROUP BY site, hour
);
