-- Whether the booked GP is the patient's own médecin traitant, decided at booking time: the majoration
-- needs only this, so the statistics survive the purge of the patient's fields (and never read them).
ALTER TABLE bookings ADD COLUMN gp_is_regular_doctor INTEGER NOT NULL DEFAULT 0;

-- Per sector, GP and UTC hour (every French time zone is a whole number of hours from UTC, so each
-- row falls in exactly one local hour, day, week and month, daylight-saving days included).
CREATE TABLE stats_hourly (
    sector_code                 TEXT    NOT NULL,
    rpps                        TEXT    NOT NULL,
    hour_utc                    TEXT    NOT NULL,
    offered                     INTEGER NOT NULL,
    booked                      INTEGER NOT NULL,
    expired                     INTEGER NOT NULL,
    offered_minutes             INTEGER NOT NULL,
    honoured                    INTEGER NOT NULL,
    no_show                     INTEGER NOT NULL,
    cancelled                   INTEGER NOT NULL,
    overflow_bookings           INTEGER NOT NULL,
    sas_bookings                INTEGER NOT NULL,
    no_regular_doctor           INTEGER NOT NULL,
    regular_doctor_unavailable  INTEGER NOT NULL,
    majoration_eligible         INTEGER NOT NULL,
    PRIMARY KEY (sector_code, rpps, hour_utc)
);
CREATE INDEX ix_stats_hourly_hour ON stats_hourly (hour_utc);

-- Delay from the call to the consultation, in whole minutes, counted: medians and percentiles stay exact.
CREATE TABLE stats_delays (
    sector_code    TEXT    NOT NULL,
    rpps           TEXT    NOT NULL,
    hour_utc       TEXT    NOT NULL,
    delay_minutes  INTEGER NOT NULL,
    bookings       INTEGER NOT NULL,
    PRIMARY KEY (sector_code, rpps, hour_utc, delay_minutes)
);
CREATE INDEX ix_stats_delays_hour ON stats_delays (hour_utc);

-- The statistics job reads slots and bookings by time across every sector.
CREATE INDEX ix_slots_start ON slots (start_utc);
CREATE INDEX ix_bookings_start ON bookings (start_utc);
CREATE INDEX ix_bookings_created ON bookings (created_at);
