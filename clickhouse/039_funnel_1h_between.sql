-- The hourly funnel of 038 for one site ('' = every site) and the hours that overlap [from, to), with
-- the range in every read: the dashboard's 7 days compare 168 versions instead of the whole history's, and
-- a shorter range asks for no hours at all (from = to) instead of computing the view and filtering it away.
-- Same rule as 038: each hour from exactly one branch, the stored count while current, else the states.
CREATE VIEW IF NOT EXISTS funnel_1h_between AS
SELECT
    site,
    window_start,
    viewers,
    carters,
    purchasers,
    if(viewers = 0, 0, round(carters / viewers, 4)) AS view_to_cart_rate,
    if(carters = 0, 0, round(purchasers / carters, 4)) AS cart_to_buy_rate
FROM
(
    SELECT site, hour AS window_start, argMax(viewers, version) AS viewers, argMax(carters, version) AS carters,
        argMax(purchasers, version) AS purchasers
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
    SELECT site, hour AS window_start, uniqExactMerge(visitors) AS viewers, uniqExactMerge(carters) AS carters,
        uniqExactMerge(purchasers) AS purchasers
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
CREATE OR REPLACE VIEW funnel_1h AS
SELECT *
FROM funnel_1h_between(site = '', from = toDateTime(0, 'UTC'), to = toDateTime('2106-01-01 00:00:00', 'UTC'));
