-- Live conversion funnel, one row per minute of the range (funnel_1m: late events left out), or per
-- hour for ranges over a day (funnel_1h_between, the range's part of funnel_1h: late events
-- counted): distinct users of each step (page view → product view → add to cart → begin checkout →
-- purchase), each user once per bucket, and the rate of each step to the next.
SELECT *
FROM
(
    SELECT toUnixTimestamp(window_start) AS t, viewers, product_viewers, carters, checkout_starters, purchasers,
        view_to_product_rate, product_to_cart_rate, cart_to_checkout_rate, checkout_to_purchase_rate
    FROM funnel_1m
    WHERE site = {site:String}
      AND window_start >= {from:DateTime('UTC')}
      AND window_start < {to:DateTime('UTC')}
      AND {to:DateTime('UTC')} - {from:DateTime('UTC')} <= 86400
    UNION ALL
    SELECT toUnixTimestamp(window_start) AS t, viewers, product_viewers, carters, checkout_starters, purchasers,
        view_to_product_rate, product_to_cart_rate, cart_to_checkout_rate, checkout_to_purchase_rate
    -- Up to a day the hours' range is empty (to = the hour of from): the minutes above answer.
    FROM funnel_1h_between(
        site = {site:String},
        from = {from:DateTime('UTC')},
        to = if({to:DateTime('UTC')} - {from:DateTime('UTC')} > 86400, {to:DateTime('UTC')}, toStartOfHour({from:DateTime('UTC')})))
)
ORDER BY t
