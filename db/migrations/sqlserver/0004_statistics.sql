ALTER TABLE dbo.bookings ADD gp_is_regular_doctor BIGINT NOT NULL CONSTRAINT df_bookings_gp_is_regular_doctor DEFAULT 0;

CREATE TABLE dbo.stats_hourly (
    sector_code                 NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    rpps                        NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NOT NULL,
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
    CONSTRAINT pk_stats_hourly PRIMARY KEY (sector_code, rpps, hour_utc)
);
CREATE INDEX ix_stats_hourly_hour ON dbo.stats_hourly (hour_utc);

CREATE TABLE dbo.stats_delays (
    sector_code    NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    rpps           NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NOT NULL,
    hour_utc       DATETIME2(0)  NOT NULL,
    delay_minutes  BIGINT        NOT NULL,
    bookings       BIGINT        NOT NULL,
    CONSTRAINT pk_stats_delays PRIMARY KEY (sector_code, rpps, hour_utc, delay_minutes)
);
CREATE INDEX ix_stats_delays_hour ON dbo.stats_delays (hour_utc);

CREATE INDEX ix_slots_start ON dbo.slots (start_utc);
CREATE INDEX ix_bookings_start ON dbo.bookings (start_utc);
CREATE INDEX ix_bookings_created ON dbo.bookings (created_at);
