-- The hourly figures summed over a sector's GPs. Reports grouped by day, week, month, sector or weekday
-- and hour need no GP, and a year of a large CPTS is a few thousand of these rows instead of a million
-- per-GP rows. Written with stats_hourly, in the same transaction, by the statistics job.
CREATE TABLE dbo.stats_sector_hourly (
    sector_code                 NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    hour_utc                    DATETIME2(0)  NOT NULL,
    offered                     BIGINT        NOT NULL,
    booked                      BIGINT        NOT NULL,
    expired                     BIGINT        NOT NULL,
    offered_minutes             BIGINT        NOT NULL,
    honoured                    BIGINT        NOT NULL,
    no_show                     BIGINT        NOT NULL,
    cancelled                   BIGINT        NOT NULL,
    overflow_bookings           BIGINT        NOT NULL,
    sas_bookings                BIGINT        NOT NULL,
    no_regular_doctor           BIGINT        NOT NULL,
    regular_doctor_unavailable  BIGINT        NOT NULL,
    majoration_eligible         BIGINT        NOT NULL,
    local_day                   NVARCHAR(10) COLLATE Latin1_General_100_BIN2  NOT NULL,
    local_week                  NVARCHAR(8) COLLATE Latin1_General_100_BIN2   NOT NULL,
    local_month                 NVARCHAR(7) COLLATE Latin1_General_100_BIN2   NOT NULL,
    local_weekday               BIGINT        NOT NULL,
    local_hour                  BIGINT        NOT NULL,
    CONSTRAINT pk_stats_sector_hourly PRIMARY KEY (sector_code, hour_utc)
);
CREATE INDEX ix_stats_sector_hourly_hour ON dbo.stats_sector_hourly (hour_utc);

INSERT INTO dbo.stats_sector_hourly (sector_code, hour_utc, offered, booked, expired, offered_minutes, honoured, no_show, cancelled,
                                     overflow_bookings, sas_bookings, no_regular_doctor, regular_doctor_unavailable, majoration_eligible,
                                     local_day, local_week, local_month, local_weekday, local_hour)
SELECT sector_code, hour_utc, SUM(offered), SUM(booked), SUM(expired), SUM(offered_minutes), SUM(honoured), SUM(no_show), SUM(cancelled),
       SUM(overflow_bookings), SUM(sas_bookings), SUM(no_regular_doctor), SUM(regular_doctor_unavailable), SUM(majoration_eligible),
       MIN(local_day), MIN(local_week), MIN(local_month), MIN(local_weekday), MIN(local_hour)
  FROM dbo.stats_hourly
 GROUP BY sector_code, hour_utc;
