-- The 20 most visited pages of the range (clickhouse/016_visits.sql filtered_visit_breakdown, filtered_visit_exits): distinct
-- visitors and page views of each page, the visits that entered on it and those that left from it
-- (their newest page view), and the conversion rate (purchasers / visitors) and revenue per currency
-- of the visits that entered on it. Under `?filter=`: the filtered visits only (the unfiltered form, top_pages.sql, reads the tables flat).
SELECT
    b.value AS page,
    sumIf(b.visitors, b.dimension = 'page') AS visitors,
    sumIf(b.page_views, b.dimension = 'page') AS page_views,
    sumIf(b.visits, b.dimension = 'entry') AS entries,
    any(x.exits) AS exits,
    if(sumIf(b.visitors, b.dimension = 'entry') = 0, 0,
       round(sumIf(b.purchasers, b.dimension = 'entry') / sumIf(b.visitors, b.dimension = 'entry'), 4))
        AS conversion_rate,
    sumMapIf(b.revenue, b.dimension = 'entry') AS revenue
FROM filtered_visit_breakdown(site = {site:String}, from = {from:DateTime('UTC')}, to = {to:DateTime('UTC')},
    dims = ['page', 'entry'], filter_dim = {filter_dim:String}, filter_value = {filter_value:String}) AS b
LEFT JOIN filtered_visit_exits(site = {site:String}, from = {from:DateTime('UTC')}, to = {to:DateTime('UTC')},
    filter_dim = {filter_dim:String}, filter_value = {filter_value:String}) AS x ON x.page = b.value
GROUP BY page
HAVING visitors > 0
ORDER BY visitors DESC, page_views DESC, page
LIMIT 20
