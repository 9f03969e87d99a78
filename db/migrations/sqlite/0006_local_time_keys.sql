-- Report buckets in the sector's local time, decided when the aggregate is written, so reports group in
-- the database (GROUP BY) instead of reading every hourly row of a year into the API.
ALTER TABLE stats_hourly ADD COLUMN local_day TEXT NOT NULL DEFAULT '';
ALTER TABLE stats_hourly ADD COLUMN local_week TEXT NOT NULL DEFAULT '';
ALTER TABLE stats_hourly ADD COLUMN local_month TEXT NOT NULL DEFAULT '';
ALTER TABLE stats_hourly ADD COLUMN local_weekday INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stats_hourly ADD COLUMN local_hour INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_stats_hourly_sector_hour ON stats_hourly (sector_code, hour_utc);
