ALTER TABLE dbo.stats_hourly ADD
    local_day      NVARCHAR(10) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT df_stats_hourly_local_day DEFAULT '',
    local_week     NVARCHAR(8) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT df_stats_hourly_local_week DEFAULT '',
    local_month    NVARCHAR(7) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT df_stats_hourly_local_month DEFAULT '',
    local_weekday  BIGINT       NOT NULL CONSTRAINT df_stats_hourly_local_weekday DEFAULT 0,
    local_hour     BIGINT       NOT NULL CONSTRAINT df_stats_hourly_local_hour DEFAULT 0;
GO
CREATE INDEX ix_stats_hourly_sector_hour ON dbo.stats_hourly (sector_code, hour_utc)
    INCLUDE (rpps, offered, booked, expired, offered_minutes, honoured, no_show, cancelled, overflow_bookings, sas_bookings,
             no_regular_doctor, regular_doctor_unavailable, majoration_eligible, local_day, local_week, local_month, local_weekday, local_hour);
