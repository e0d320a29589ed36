-- The z-score of the last closed 5-minute revenue bucket per site and currency against the
-- trailing 24 hours (clickhouse/ revenue_anomalies_between, the dashboard's markers). Series without a
-- score yet (under an hour of history, or no variation) are left out.
SELECT
    concat(site, '/', currency) AS subject,
    orders AS volume,
    revenue_z AS value
FROM revenue_anomalies_between(
    site = '',
    from = toStartOfFiveMinutes({to:DateTime('UTC')}) - INTERVAL 5 MINUTE,
    to = toStartOfFiveMinutes({to:DateTime('UTC')}))
WHERE revenue_z IS NOT NULL
ORDER BY subject
