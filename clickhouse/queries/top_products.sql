-- The ten products with the most orders, with their conversion rates.
SELECT product_id, name, category, views, cart_adds, purchases, units, revenue, view_to_cart_rate, cart_to_purchase_rate
FROM product_performance
WHERE site = 'demo'
ORDER BY purchases DESC, views DESC
LIMIT 10
