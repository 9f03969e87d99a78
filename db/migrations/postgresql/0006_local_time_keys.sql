ALTER TABLE stats_hourly
    ADD COLUMN local_day      VARCHAR(10) COLLATE "C" NOT NULL DEFAULT '',
    ADD COLUMN local_week     VARCHAR(8) COLLATE "C"  NOT NULL DEFAULT '',
    ADD COLUMN local_month    VARCHAR(7) COLLATE "C"  NOT NULL DEFAULT '',
    ADD COLUMN local_weekday  BIGINT       NOT NULL DEFAULT 0,
    ADD COLUMN local_hour     BIGINT       NOT NULL DEFAULT 0;
CREATE INDEX ix_stats_hourly_sector_hour ON stats_hourly (sector_code, hour_utc)
    INCLUDE (rpps, offered, booked, expired, offered_minutes, honoured, no_show, cancelled, overflow_bookings, sas_bookings,
             no_regular_doctor, regular_doctor_unavailable, majoration_eligible, local_day, local_week, local_month, local_weekday, local_hour);
