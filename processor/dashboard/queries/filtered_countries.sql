-- Where visits came from: the country the collector's edge reported ('unknown' without one), the 20 best, over the range (clickhouse/016_visits.sql filtered_visit_breakdown: a visit is credited to its first event's values).
-- Per value: distinct visitors, visits started, page views, conversion rate (purchasers / visitors),
-- orders and revenue per currency. Under `?filter=`: the filtered visits only (the unfiltered form, countries.sql, reads the tables flat).
SELECT
    dimension,
    value,
    visitors,
    visits,
    page_views,
    if(visitors = 0, 0, round(purchasers / visitors, 4)) AS conversion_rate,
    orders,
    revenue
FROM filtered_visit_breakdown(site = {site:String}, from = {from:DateTime('UTC')}, to = {to:DateTime('UTC')},
    dims = ['country'], filter_dim = {filter_dim:String}, filter_value = {filter_value:String})
ORDER BY dimension, visitors DESC, visits DESC, value
LIMIT 20 BY dimension
