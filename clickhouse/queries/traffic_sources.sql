-- Where visits come from, and how often they bounce.
SELECT dimension, value, views, unique_visitors, sessions, bounce_rate
FROM pageview_metrics
WHERE site = 'demo' AND dimension IN ('referrer_domain', 'utm_source')
ORDER BY dimension, sessions DESC
