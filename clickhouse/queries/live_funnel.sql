-- The live funnel of the last 15 minutes.
SELECT window_start, viewers, carters, purchasers, view_to_cart_rate, cart_to_buy_rate
FROM funnel_1m
WHERE site = 'demo' AND window_start >= now() - INTERVAL 15 MINUTE
ORDER BY window_start DESC
