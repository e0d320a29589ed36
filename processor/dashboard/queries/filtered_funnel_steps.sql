-- The funnel over the whole range, for its bar chart: users at each step (page view → product view →
-- add to cart → begin checkout → purchase), each user once however many buckets they were active in,
-- late events counted, over the minutes (up to a day) or hours that start in the range (clickhouse/
-- filtered_visit_breakdown, dimension 'step': distinct users as uniqCombined(12) states, exact for small counts
-- and within ~1.6 % beyond; a month of exact states took seconds to merge at 10M events). With
-- `?filter=`, the filtered visits' users. Rates are fractions of the step before.
SELECT
    sumIf(visitors, value = 'viewers') AS viewers,
    sumIf(visitors, value = 'product_viewers') AS product_viewers,
    sumIf(visitors, value = 'carters') AS carters,
    sumIf(visitors, value = 'checkout_starters') AS checkout_starters,
    sumIf(visitors, value = 'purchasers') AS purchasers,
    if(viewers = 0, 0, round(product_viewers / viewers, 4)) AS view_to_product_rate,
    if(product_viewers = 0, 0, round(carters / product_viewers, 4)) AS product_to_cart_rate,
    if(carters = 0, 0, round(checkout_starters / carters, 4)) AS cart_to_checkout_rate,
    if(checkout_starters = 0, 0, round(purchasers / checkout_starters, 4)) AS checkout_to_purchase_rate,
    if(viewers = 0, 0, round(purchasers / viewers, 4)) AS conversion_rate
FROM filtered_visit_breakdown(site = {site:String}, from = {from:DateTime('UTC')}, to = {to:DateTime('UTC')},
    dims = ['step'], filter_dim = {filter_dim:String}, filter_value = {filter_value:String})
