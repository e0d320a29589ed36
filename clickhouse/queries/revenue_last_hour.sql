-- Revenue in sliding 5-minute windows, advancing every minute, over the last hour.
SELECT window_start, window_end, currency, orders, units, revenue, aov
FROM revenue_hop(size_minutes = 5, hop_minutes = 1)
WHERE site = 'demo' AND window_start >= now() - INTERVAL 1 HOUR
ORDER BY window_start DESC, currency
