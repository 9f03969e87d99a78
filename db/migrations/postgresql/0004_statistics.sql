ALTER TABLE bookings ADD COLUMN gp_is_regular_doctor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE stats_hourly (
    sector_code                 VARCHAR(64) COLLATE "C"  NOT NULL,
    rpps                        VARCHAR(11) COLLATE "C"  NOT NULL,
    hour_utc                    TIMESTAMPTZ  NOT NULL,
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
CREATE INDEX ix_stats_hourly_hour ON stats_hourly (hour_utc);

CREATE TABLE stats_delays (
    sector_code    VARCHAR(64) COLLATE "C"  NOT NULL,
    rpps           VARCHAR(11) COLLATE "C"  NOT NULL,
    hour_utc       TIMESTAMPTZ  NOT NULL,
    delay_minutes  BIGINT        NOT NULL,
    bookings       BIGINT        NOT NULL,
    CONSTRAINT pk_stats_delays PRIMARY KEY (sector_code, rpps, hour_utc, delay_minutes)
);
CREATE INDEX ix_stats_delays_hour ON stats_delays (hour_utc);

CREATE INDEX ix_slots_start ON slots (start_utc);
CREATE INDEX ix_bookings_start ON bookings (start_utc);
CREATE INDEX ix_bookings_created ON bookings (created_at);
