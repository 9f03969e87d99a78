-- Holds live on the slot row (hold_id, held_by, hold_expires_at); this finds a hold by its id.
CREATE INDEX ix_slots_hold ON slots (hold_id) WHERE hold_id IS NOT NULL;

CREATE TABLE bookings (
    id                           TEXT    NOT NULL PRIMARY KEY,
    slot_id                      INTEGER NULL REFERENCES slots (id),   -- null for an overflow (surnuméraire) booking
    rpps                         TEXT    NOT NULL,
    sector_code                  TEXT    NOT NULL,
    site_id                      TEXT    NULL,
    start_utc                    TEXT    NULL,                         -- the slot's start; null for overflow
    end_utc                      TEXT    NULL,
    overflow                     INTEGER NOT NULL,
    overflow_day                 TEXT    NULL,                         -- the GP's local day an overflow counts against
    status                       TEXT    NOT NULL,                     -- booked | cancelled
    outcome                      TEXT    NULL,                         -- honoured | no_show
    origin                       TEXT    NOT NULL,
    regular_doctor               TEXT    NOT NULL,
    regular_doctor_contacted     INTEGER NOT NULL,
    requested_at                 TEXT    NOT NULL,
    -- Patient data (health data): read only through audited routes, anonymised after retention.
    patient_last_name            TEXT    NULL,
    patient_first_name           TEXT    NULL,
    patient_birth_date           TEXT    NULL,
    patient_phone                TEXT    NULL,
    patient_commune              TEXT    NULL,
    patient_ins                  TEXT    NULL,
    patient_regular_doctor_rpps  TEXT    NULL,
    reason                       TEXT    NULL,
    booked_by_client             TEXT    NOT NULL,
    created_at                   TEXT    NOT NULL,
    cancelled_at                 TEXT    NULL,
    cancelled_by                 TEXT    NULL,                         -- patient | practitioner | regulator
    cancel_reason                TEXT    NULL,
    cancelled_by_client          TEXT    NULL,
    slot_released                INTEGER NOT NULL DEFAULT 0,           -- cancelled before the cut-off: the slot was offered again
    outcome_at                   TEXT    NULL,
    updated_at                   TEXT    NOT NULL
);
-- The database's own guarantee: at most one live booking per slot, whatever the code does.
CREATE UNIQUE INDEX ux_bookings_live_slot ON bookings (slot_id) WHERE status = 'booked' AND slot_id IS NOT NULL;
CREATE INDEX ix_bookings_practitioner ON bookings (rpps, start_utc);
CREATE INDEX ix_bookings_overflow ON bookings (rpps, overflow_day) WHERE overflow = 1;

-- Overflow capacity per GP and local day, taken with a conditional UPDATE so two regulators cannot both get the last place.
CREATE TABLE overflow_days (
    rpps   TEXT    NOT NULL,
    day    TEXT    NOT NULL,
    used   INTEGER NOT NULL,
    PRIMARY KEY (rpps, day)
);

-- POST /v1/bookings replays: the first answer to a client's key, kept 24 hours.
CREATE TABLE idempotency_keys (
    client_id      TEXT    NOT NULL,
    idem_key       TEXT    NOT NULL,
    request_hash   TEXT    NOT NULL,
    status_code    INTEGER NOT NULL,
    response_body  TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);
CREATE INDEX ix_idempotency_expires ON idempotency_keys (expires_at);

-- Append-only: who did or read what, when. Nothing updates or deletes these rows.
CREATE TABLE audit_log (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at         TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    action     TEXT    NOT NULL,
    entity     TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    trace_id   TEXT    NULL
);
CREATE INDEX ix_audit_entity ON audit_log (entity, entity_id);

-- Events to deliver, written in the same transaction as the change they describe. No patient data.
CREATE TABLE outbox (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    event_id         TEXT    NOT NULL,
    event_type       TEXT    NOT NULL,
    booking_id       TEXT    NULL,
    slot_id          INTEGER NULL,
    rpps             TEXT    NOT NULL,
    client_id        TEXT    NULL,          -- the regulator client that booked, which is told of its bookings
    payload          TEXT    NOT NULL,
    created_at       TEXT    NOT NULL
);
CREATE UNIQUE INDEX ux_outbox_event ON outbox (event_id);
