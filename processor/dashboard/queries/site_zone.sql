-- The site's time zone (IANA), as the processor wrote it from the sites file (clickhouse/
-- 006_counted_events.sql site_zones): the dashboard's custom dates are its days, its axes its hours.
-- No row: UTC.
SELECT time_zone
FROM site_zones
WHERE site = {site:String}
