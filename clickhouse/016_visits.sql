-- Visits broken down (issue 25): pages, entry and exit pages, referrer domains, UTM source / medium /
-- campaign, device type, browser, OS and country, and the funnel's steps, per minute, hour and day, as events
-- are counted (006_counted_events.sql),
-- for the dashboard's breakdown panels and its `?filter=dimension:value`.
-- A visit (a session) is credited to how it arrived: its referrer domain, UTM tags, entry page, device,
-- browser, OS and country are those of the first event read of the session (its landing page view),
-- fixed then and kept by key (`visit_gate`), so every later event of the visit, a purchase on the
-- thank-you page included, counts for the source that brought it. The exit page is the visit's newest
-- page view: it changes with each page view, so it is kept as signed rows (`visit_exits`), as 012_session_states.sql keeps
-- session starts. Exact for the reasons 012 is: a session's events share a partition, so one consumer,
-- which writes a block's new states before it reads the next block.
-- What it costs to write (loadtest/bench/chain_stages.ts, µs of CPU per event; loadtest/RESULTS.md, "The visit
-- breakdowns' write path cut"): every counted event written once per dimension of its visit (~9.8 rows), each
-- grouped per minute, hour and day with a revenue Map built per row, took 21-25 µs of the chain's ~44-54.
-- Now a block's events are grouped per visit, minute and user first, and the visit's dimensions and funnel
-- steps multiply those groups, not the events; revenue comes from the groups with a purchase only; hours
-- are merged from the rows a block writes to the minutes, days from those it writes to the hours. The answers are the same (the five
-- panels and their filtered forms compared byte for byte over 300k events of a month).

-- Each visit's attribution ('site:session_id') and its newest page view, replaced at each block that has
-- its events.
CREATE TABLE IF NOT EXISTS visit_gate
(
    id String,
    dims Array(Tuple(dimension String, value String)),   -- the visit's own: entry, source, utm_*, device, ...
    started_at DateTime64(3, 'UTC'),                      -- its first block's first event: where it counts as a visit
    last_view_at DateTime64(3, 'UTC'),                    -- 1970 while the visit has no page view
    exit_page String
)
-- Kept 30 days after its last change, as the gates of 005_first_delivery.sql.
ENGINE = EmbeddedRocksDB(2592000)
PRIMARY KEY id;

-- A block's visits: what the block brings, before the gate is asked (two views: chdb 26.7 loses
-- columns when one view both aggregates and joins, as in 005 and 012).
CREATE TABLE IF NOT EXISTS visit_blocks
(
    site LowCardinality(String),
    session_id String,
    dims Array(Tuple(dimension String, value String)),
    started_at DateTime64(3, 'UTC'),
    first_user String,   -- the user of its first event (at started_at)
    last_view_at DateTime64(3, 'UTC'),
    exit_page String,
    -- The block's events of the visit per minute and user: page views, product views (the funnel's), cart
    -- adds, checkouts begun, orders and their (currency, revenue), and the path of each page view.
    minutes Array(Tuple(minute DateTime('UTC'), user_key String, page_views UInt64, product_views UInt64,
        carts UInt64, checkouts UInt64, orders UInt64, sales Array(Tuple(String, Decimal(38, 2))),
        pages Array(String)))
)
ENGINE = Null;

-- Two groupings of the block's events, put together per visit: per visit (its first event, first page
-- view and newest one) and per visit, minute and user (plain counts: ~0.55 groups per event in the
-- bench's backlog, which the fan-out over the visit's dimensions multiplies instead of the events). The
-- first event's values copied per minute group instead of per visit cost 1.1 µs per event, and
-- keeping users, pages and revenue in hash sets per group (groupUniqArray, sumMap) 6.3 in all.
CREATE MATERIALIZED VIEW IF NOT EXISTS visit_blocks_mv TO visit_blocks AS
SELECT
    site,
    session_id,
    anyIf(dims, kind = 0) AS dims,
    maxIf(started_at, kind = 0) AS started_at,
    anyIf(first_user, kind = 0) AS first_user,
    maxIf(last_view_at, kind = 0) AS last_view_at,
    anyIf(exit_page, kind = 0) AS exit_page,
    groupArrayIf(m, kind = 1) AS minutes
FROM
(
    SELECT site, session_id, 0 AS kind, dims, started_at, first_user, last_view_at, exit_page,
        CAST((toDateTime(0, 'UTC'), '', 0, 0, 0, 0, 0, [], []),
            'Tuple(DateTime(\'UTC\'), String, UInt64, UInt64, UInt64, UInt64, UInt64, Array(Tuple(String, Decimal(38, 2))),
                Array(String))') AS m
    FROM
    (
        SELECT
            site,
            session_id,
            -- The block's first event of the visit (page views first: the landing page), by time then event_id.
            argMin(
                (path(url), referrer, toString(utm_source), toString(utm_medium), utm_campaign,
                    toString(device_type), toString(browser), toString(os), toString(country)),
                (type != 'page_view', event_time, event_id)) AS f,
            [
                ('entry', f.1),
                ('source', if(f.2 = '', '(direct)', domainWithoutWWW(f.2))),
                ('utm_source', if(f.3 = '', '(none)', f.3)),
                ('utm_medium', if(f.4 = '', '(none)', f.4)),
                ('utm_campaign', if(f.5 = '', '(none)', f.5)),
                ('device', if(f.6 = '', 'unknown', f.6)),
                ('browser', if(f.7 = '', 'unknown', f.7)),
                ('os', if(f.8 = '', 'unknown', f.8)),
                ('country', if(f.9 = '', 'unknown', f.9))] AS dims,
            min(event_time) AS started_at,
            argMin(user_key, event_time) AS first_user,
            maxIf(event_time, type = 'page_view') AS last_view_at,
            argMaxIf(path(url), (event_time, event_id), type = 'page_view') AS exit_page
        FROM counted_events${LOCAL}
        WHERE is_replay = 0
        GROUP BY site, session_id
    )
    UNION ALL
    SELECT site, session_id, 1 AS kind, CAST([], 'Array(Tuple(String, String))') AS dims,
        toDateTime64(0, 3, 'UTC') AS started_at, '' AS first_user, toDateTime64(0, 3, 'UTC') AS last_view_at,
        '' AS exit_page, (minute, user_key, page_views, product_views, carts, checkouts, orders, sales, pages) AS m
    FROM
    (
        SELECT
            site,
            session_id,
            toStartOfMinute(event_time) AS minute,
            user_key,
            toUInt64(countIf(type = 'page_view')) AS page_views,
            -- A product view: a product_view event, or a page view its site's URL patterns gave a product_id.
            toUInt64(countIf(type = 'product_view' OR (type = 'page_view' AND product_id != ''))) AS product_views,
            toUInt64(countIf(type = 'add_to_cart')) AS carts,
            toUInt64(countIf(type = 'begin_checkout')) AS checkouts,
            toUInt64(countIf(type = 'purchase')) AS orders,
            groupArrayIf((toString(currency), toDecimal128(revenue, 2)), type = 'purchase') AS sales,
            groupArrayIf(path(url), type = 'page_view') AS pages
        FROM counted_events${LOCAL}
        WHERE is_replay = 0
        GROUP BY site, session_id, minute, user_key
    )
)
GROUP BY site, session_id;

-- Each visit of a block with its state before (had_state, old_*) and after.
CREATE TABLE IF NOT EXISTS visit_changes
(
    site LowCardinality(String),
    session_id String,
    had_state UInt8,
    dims Array(Tuple(dimension String, value String)),
    started_at DateTime64(3, 'UTC'),
    first_user String,
    old_last_view_at DateTime64(3, 'UTC'),
    old_exit_page String,
    last_view_at DateTime64(3, 'UTC'),
    exit_page String,
    minutes Array(Tuple(minute DateTime('UTC'), user_key String, page_views UInt64, product_views UInt64,
        carts UInt64, checkouts UInt64, orders UInt64, sales Array(Tuple(String, Decimal(38, 2))),
        pages Array(String)))
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS visit_changes_mv TO visit_changes AS
SELECT
    b.site AS site,
    b.session_id AS session_id,
    toUInt8(g.id != '') AS had_state,
    if(had_state = 1, g.dims, b.dims) AS dims,   -- fixed by the visit's first block
    if(had_state = 1, g.started_at, b.started_at) AS started_at,
    b.first_user AS first_user,
    g.last_view_at AS old_last_view_at,
    g.exit_page AS old_exit_page,
    -- The newest page view so far; a tie keeps the one already known.
    if(b.last_view_at > g.last_view_at, b.last_view_at, g.last_view_at) AS last_view_at,
    if(b.last_view_at > g.last_view_at, b.exit_page, g.exit_page) AS exit_page,
    b.minutes AS minutes
FROM visit_blocks AS b
-- A point lookup per visit; a missing one reads as defaults (id '').
LEFT JOIN visit_gate AS g ON g.id = concat(b.site, ':', b.session_id)
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

CREATE MATERIALIZED VIEW IF NOT EXISTS visit_gate_mv TO visit_gate AS
SELECT concat(site, ':', session_id) AS id, dims, started_at, last_view_at, exit_page
FROM visit_changes;

-- Per dimension value and minute, hour and UTC day: distinct visitors (users with a page view) and
-- purchasers as mergeable states, visits started, page views, orders and revenue per currency. A 'page'
-- row counts that page's views and viewers only; the visit's purchases count for its entry page
-- ('entry'); a 'step' row (the funnel's steps: 'viewers', 'product_viewers', 'carters',
-- 'checkout_starters', 'purchasers') holds the users at that step only. Late events counted. A range reads
-- its whole days (or, up to a day, whole hours) and the hours (minutes) at its edges: merging a month of
-- hourly distinct-user states took ~180 ms at 1M events, and the count of states, not of users, dominated.
CREATE TABLE IF NOT EXISTS visit_minutes${LOCAL}
(
    site LowCardinality(String),
    bucket DateTime('UTC'),   -- the minute (visit_hours: the hour, visit_days: the day)
    dimension LowCardinality(String),
    value String,
    -- uniqCombined(12): exact for small counts, then HyperLogLog with 4,096 cells (~1.6 % error): a month of
    -- exact per-value states (uniqExact) took 1-3 s per breakdown panel to merge at 10M events.
    visitors AggregateFunction(uniqCombined(12), String),
    purchasers AggregateFunction(uniqCombined(12), String),
    visits SimpleAggregateFunction(sum, UInt64),
    page_views SimpleAggregateFunction(sum, UInt64),
    orders SimpleAggregateFunction(sum, UInt64),
    revenue SimpleAggregateFunction(sumMap, Map(String, Decimal(38, 2)))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (site, dimension, bucket, value);

CREATE TABLE IF NOT EXISTS visit_hours${LOCAL} AS visit_minutes${LOCAL}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (site, dimension, bucket, value);

CREATE TABLE IF NOT EXISTS visit_days${LOCAL} AS visit_minutes${LOCAL}
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (site, dimension, bucket, value);

-- One view, so one insert (one part, one run of the hours' and days' views) per block: live blocks are small
-- and each part a view writes costs its block a fixed time. Three groupings of the block's groups per visit,
-- minute and user:
-- - the visit's dimensions and the funnel's steps: each group once per dimension of its visit and once per
--   funnel step its events reached ('step': its visitors are the users at that step); a new visit counts
--   once, in the minute and user of its first block's first event;
-- - revenue per currency, from the groups with a purchase only: a Map summed for every row cost more than
--   the rest of the row;
-- - pages: each page view once for its own path (its visitors and views only).
CREATE MATERIALIZED VIEW IF NOT EXISTS visit_minutes_mv TO visit_minutes${LOCAL} AS
-- Inside a subquery: a view's top-level UNION ALL gives the block to its first SELECT only (the others read
-- the Null table, empty).
SELECT site, bucket, dimension, value, visitors, purchasers, visits, page_views, orders, revenue
FROM
(
    SELECT
        site,
        m.minute AS bucket,
        d.1 AS dimension,
        d.2 AS value,
        uniqCombinedStateIf(12)(m.user_key, m.page_views > 0 OR d.1 = 'step') AS visitors,
        uniqCombinedStateIf(12)(m.user_key, m.orders > 0 AND d.1 != 'step') AS purchasers,
        toUInt64(countIf(had_state = 0 AND d.1 != 'step' AND m.minute = toStartOfMinute(started_at)
            AND m.user_key = first_user)) AS visits,
        sumIf(m.page_views, d.1 != 'step') AS page_views,
        sumIf(m.orders, d.1 != 'step') AS orders,
        CAST(map(), 'Map(String, Decimal(38, 2))') AS revenue
    FROM visit_changes
    ARRAY JOIN minutes AS m
    ARRAY JOIN arrayConcat(dims, arrayFilter(s -> s.2 != '', [
        ('step', if(m.page_views > 0, 'viewers', '')),
        ('step', if(m.product_views > 0, 'product_viewers', '')),
        ('step', if(m.carts > 0, 'carters', '')),
        ('step', if(m.checkouts > 0, 'checkout_starters', '')),
        ('step', if(m.orders > 0, 'purchasers', ''))])) AS d
    GROUP BY site, bucket, dimension, value
    UNION ALL
    SELECT
        site,
        m.minute AS bucket,
        d.1 AS dimension,
        d.2 AS value,
        arrayReduce('uniqCombinedState(12)', CAST([], 'Array(String)')) AS visitors,
        arrayReduce('uniqCombinedState(12)', CAST([], 'Array(String)')) AS purchasers,
        toUInt64(0) AS visits,
        toUInt64(0) AS page_views,
        toUInt64(0) AS orders,
        sumMap(mapFromArrays(arrayMap(x -> x.1, m.sales), arrayMap(x -> x.2, m.sales))) AS revenue
    FROM visit_changes
    ARRAY JOIN arrayFilter(x -> x.orders > 0, minutes) AS m
    ARRAY JOIN dims AS d
    GROUP BY site, bucket, dimension, value
    UNION ALL
    SELECT
        site,
        m.minute AS bucket,
        'page' AS dimension,
        page AS value,
        uniqCombinedState(12)(m.user_key) AS visitors,
        arrayReduce('uniqCombinedState(12)', CAST([], 'Array(String)')) AS purchasers,
        toUInt64(0) AS visits,
        toUInt64(count()) AS page_views,
        toUInt64(0) AS orders,
        CAST(map(), 'Map(String, Decimal(38, 2))') AS revenue
    FROM visit_changes
    ARRAY JOIN minutes AS m
    ARRAY JOIN m.pages AS page
    GROUP BY site, bucket, value
);

-- Hours from the rows a block writes to visit_minutes, days from those it writes to visit_hours: already
-- grouped, so far fewer rows than the events (states merge exactly: a merged state equals one built from
-- the same users).
CREATE MATERIALIZED VIEW IF NOT EXISTS visit_hours_mv TO visit_hours${LOCAL} AS
SELECT
    site,
    toStartOfHour(bucket) AS bucket,
    dimension,
    value,
    uniqCombinedMergeState(12)(visitors) AS visitors,
    uniqCombinedMergeState(12)(purchasers) AS purchasers,
    sum(visits) AS visits,
    sum(page_views) AS page_views,
    sum(orders) AS orders,
    sumMap(revenue) AS revenue
FROM visit_minutes${LOCAL}
GROUP BY site, bucket, dimension, value;

CREATE MATERIALIZED VIEW IF NOT EXISTS visit_days_mv TO visit_days${LOCAL} AS
SELECT
    site,
    toStartOfDay(bucket) AS bucket,
    dimension,
    value,
    uniqCombinedMergeState(12)(visitors) AS visitors,
    uniqCombinedMergeState(12)(purchasers) AS purchasers,
    sum(visits) AS visits,
    sum(page_views) AS page_views,
    sum(orders) AS orders,
    sumMap(revenue) AS revenue
FROM visit_hours${LOCAL}
GROUP BY site, bucket, dimension, value;

-- Visits by their exit page, at the minute of their newest page view: a visit whose newest page view
-- changes takes back its old row (-1) and adds the new one (+1).
CREATE TABLE IF NOT EXISTS visit_exits${LOCAL}
(
    site LowCardinality(String),
    minute DateTime('UTC'),
    page String,
    exits Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute, page);

CREATE MATERIALIZED VIEW IF NOT EXISTS visit_exits_mv TO visit_exits${LOCAL} AS
SELECT site, x.1 AS minute, x.2 AS page, sum(x.3) AS exits
FROM
(
    SELECT
        site,
        arrayJoin(arrayFilter(r -> r.4, [
            (toStartOfMinute(old_last_view_at), old_exit_page, toInt64(-1), old_last_view_at > 0),
            (toStartOfMinute(last_view_at), exit_page, toInt64(1), last_view_at > 0)])) AS x
    FROM visit_changes
    -- Unchanged: nothing to take back or add.
    WHERE NOT (last_view_at = old_last_view_at AND exit_page = old_exit_page)
)
GROUP BY site, minute, page;

-- The visits of each dimension value, for `?filter=`: the dashboard's filtered panels read the range's
-- counted events of these sessions. A visit's own dimensions once (its first block), and each page it
-- viewed ('page': repeats merge away).
CREATE TABLE IF NOT EXISTS visit_sessions${LOCAL}
(
    site LowCardinality(String),
    dimension LowCardinality(String),
    value String,
    session_id String
)
ENGINE = ReplacingMergeTree
ORDER BY (site, dimension, value, session_id);

-- A new visit's dimensions, and the pages of every visit in the block.
CREATE MATERIALIZED VIEW IF NOT EXISTS visit_sessions_mv TO visit_sessions${LOCAL} AS
SELECT site, d.1 AS dimension, d.2 AS value, session_id
FROM visit_changes
ARRAY JOIN arrayConcat(if(had_state = 0, dims, []),
    arrayMap(p -> ('page', p), arrayDistinct(arrayFlatten(arrayMap(m -> m.pages, minutes))))) AS d;

-- The sessions a dashboard filter keeps: those whose `filter_dim` is `filter_value` (for 'page': that
-- viewed the page), each once. The filtered panels (processor/dashboard/queries/filtered_*.sql) read
-- these sessions' counted events and states.
CREATE VIEW IF NOT EXISTS filtered_sessions AS
SELECT DISTINCT session_id
FROM visit_sessions
WHERE site = {site:String} AND dimension = {filter_dim:String} AND value = {filter_value:String};

-- The states (012_session_states.sql) of the sessions a dashboard filter keeps, for the filtered KPIs:
-- start, bought, last cart event, cart adds, order times. A point lookup per session; one without a state
-- reads as defaults (1970, no carts), which no range counts.
CREATE VIEW IF NOT EXISTS filtered_session_states AS
SELECT g.started_at AS started_at, g.purchased AS purchased, g.last_cart_at AS last_cart_at, g.cart_adds AS cart_adds,
    g.purchase_times AS purchase_times
FROM
(
    -- filtered_sessions' rows (chdb 26.7 runs no direct join whose left side is a parameterized view).
    SELECT DISTINCT concat(site, ':', session_id) AS id
    FROM visit_sessions
    WHERE site = {site:String} AND dimension = {filter_dim:String} AND value = {filter_value:String}
) AS f
LEFT JOIN session_gate AS g ON g.id = f.id
SETTINGS join_algorithm = 'direct', join_use_nulls = 0;

-- One breakdown of [from, to) for one site under `?filter=`: per value of each dimension in `dims`, what
-- visit_minutes, visit_hours and visit_days hold (the unfiltered panels read those flat), over the minutes
-- (ranges up to a day) or hours that start in the range, of the visits whose `filter_dim` is
-- `filter_value` only (for 'page': that viewed the page), read from their counted events at query time
-- with the same rules (the aggregates hold one dimension at a time): its cost is the range's events of
-- those visits, not the history. A view because its gate lookup needs SETTINGS, which the read-only
-- console refuses in a panel file it reruns.
CREATE VIEW IF NOT EXISTS filtered_visit_breakdown AS
WITH if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, 3600, 60) AS step
SELECT
    dimension,
    value,
    uniqCombinedMerge(12)(visitors) AS visitors,
    uniqCombinedMerge(12)(purchasers) AS purchasers,
    sum(visits) AS visits,
    sum(page_views) AS page_views,
    sum(orders) AS orders,
    sumMap(revenue) AS revenue
FROM
(
    SELECT
        d.1 AS dimension,
        d.2 AS value,
        uniqCombinedStateIf(12)(e.user_key, e.type = 'page_view' OR d.1 = 'step') AS visitors,
        uniqCombinedStateIf(12)(e.user_key, e.type = 'purchase') AS purchasers,
        -- A visit counts once, in the bucket of its start (as visit_minutes_mv counts it).
        toUInt64(uniqExactIf(e.session_id, d.1 NOT IN ('page', 'step')
            AND toStartOfInterval(g.started_at, toIntervalSecond(step)) >= {from:DateTime('UTC')}
            AND toStartOfInterval(g.started_at, toIntervalSecond(step)) < {to:DateTime('UTC')})) AS visits,
        toUInt64(countIf(e.type = 'page_view')) AS page_views,
        toUInt64(countIf(e.type = 'purchase')) AS orders,
        sumMapIf(map(toString(e.currency), toDecimal128(e.revenue, 2)), e.type = 'purchase') AS revenue
    FROM
    (
        SELECT site, session_id, user_key, toString(type) AS type, path(url) AS page, currency, revenue,
            arrayFilter(x -> x != '', [
                if(type = 'page_view', 'viewers', ''),
                -- A product view: a product_view event, or a page view its site's URL patterns gave a product_id.
                if(type = 'product_view' OR (type = 'page_view' AND product_id != ''), 'product_viewers', ''),
                if(type = 'add_to_cart', 'carters', ''),
                if(type = 'begin_checkout', 'checkout_starters', ''),
                if(type = 'purchase', 'purchasers', '')]) AS steps
        FROM counted_events
        WHERE site = {site:String} AND is_replay = 0
          AND event_time >= {from:DateTime('UTC')} AND event_time < {to:DateTime('UTC')} + INTERVAL 1 HOUR
          AND toStartOfInterval(event_time, toIntervalSecond(step)) >= {from:DateTime('UTC')}
          AND toStartOfInterval(event_time, toIntervalSecond(step)) < {to:DateTime('UTC')}
          AND session_id IN (SELECT session_id FROM filtered_sessions(site = {site:String}, filter_dim = {filter_dim:String},
              filter_value = {filter_value:String}))
    ) AS e
    LEFT JOIN visit_gate AS g ON g.id = concat(e.site, ':', e.session_id)
    ARRAY JOIN arrayConcat(g.dims, if(e.type = 'page_view', [('page', e.page)], []), arrayMap(x -> ('step', x), e.steps))
        AS d
    WHERE d.1 IN {dims:Array(String)}
    GROUP BY dimension, value
    SETTINGS join_algorithm = 'direct', join_use_nulls = 0
)
GROUP BY dimension, value;

-- Visits by exit page whose newest page view falls in [from, to) (minutes, or hours past a day), for one
-- site, of the visits `filtered_visit_breakdown` filters (a view for the same reason).
CREATE VIEW IF NOT EXISTS filtered_visit_exits AS
WITH if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, 3600, 60) AS step
SELECT page, toUInt64(sum(exits)) AS exits
FROM
(
    SELECT page, toInt64(1) AS exits
    FROM
    (
        SELECT g.exit_page AS page, g.last_view_at AS last_view_at
        FROM
        (
            -- filtered_sessions' rows (chdb 26.7 runs no direct join whose left side is a parameterized view).
            SELECT DISTINCT concat(site, ':', session_id) AS id
            FROM visit_sessions
            WHERE site = {site:String} AND dimension = {filter_dim:String} AND value = {filter_value:String}
        ) AS s
        -- A point lookup per visit.
        LEFT JOIN visit_gate AS g ON g.id = s.id
        SETTINGS join_algorithm = 'direct', join_use_nulls = 0
    )
    -- Outside the join: a condition on the gate's columns next to it makes chdb 26.7 refuse the direct join.
    WHERE last_view_at > 0
      AND toStartOfInterval(last_view_at, toIntervalSecond(step)) >= {from:DateTime('UTC')}
      AND toStartOfInterval(last_view_at, toIntervalSecond(step)) < {to:DateTime('UTC')}
)
GROUP BY page
HAVING exits > 0;
