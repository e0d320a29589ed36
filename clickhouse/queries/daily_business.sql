-- Orders, revenue and conversion per day.
SELECT o.day, o.currency, o.orders, o.revenue, o.aov, f.visitors, f.purchasers, f.conversion_rate
FROM daily_orders AS o
INNER JOIN daily_funnel AS f ON f.site = o.site AND f.day = o.day
WHERE o.site = 'demo'
ORDER BY o.day DESC, o.currency
