-- Territory, practitioners, integration clients and slots.
-- Instants are UTC, stored as 'yyyy-MM-dd HH:mm:ss' text, which sorts as time does.

CREATE TABLE cpts (
    finess      TEXT    NOT NULL PRIMARY KEY,
    name        TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE sectors (
    code                   TEXT    NOT NULL PRIMARY KEY,
    name                   TEXT    NOT NULL,
    department             TEXT    NOT NULL,
    time_zone              TEXT    NOT NULL,
    booking_horizon_hours  INTEGER NOT NULL,
    cpts_finess            TEXT    NULL,
    updated_at             TEXT    NOT NULL
);
CREATE INDEX ix_sectors_cpts ON sectors (cpts_finess);

CREATE TABLE sector_communes (
    sector_code  TEXT NOT NULL REFERENCES sectors (code) ON DELETE CASCADE,
    insee_code   TEXT NOT NULL,
    PRIMARY KEY (sector_code, insee_code)
);
CREATE INDEX ix_sector_communes_insee ON sector_communes (insee_code);

CREATE TABLE practitioners (
    rpps              TEXT    NOT NULL PRIMARY KEY,
    first_name        TEXT    NOT NULL,
    last_name         TEXT    NOT NULL,
    profession        TEXT    NOT NULL,
    overflow_per_day  INTEGER NOT NULL,
    updated_at        TEXT    NOT NULL
);

CREATE TABLE practitioner_sectors (
    rpps         TEXT NOT NULL REFERENCES practitioners (rpps) ON DELETE CASCADE,
    sector_code  TEXT NOT NULL,
    PRIMARY KEY (rpps, sector_code)
);

CREATE TABLE practitioner_sites (
    rpps     TEXT NOT NULL REFERENCES practitioners (rpps) ON DELETE CASCADE,
    site_id  TEXT NOT NULL,
    name     TEXT NOT NULL,
    address  TEXT NOT NULL,
    commune  TEXT NOT NULL,
    PRIMARY KEY (rpps, site_id)
);

CREATE TABLE clients (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    scope       TEXT NOT NULL,   -- JSON array of RPPS, sectors/departments or FINESS, by role
    created_at  TEXT NOT NULL
);

CREATE TABLE client_keys (
    id          TEXT NOT NULL PRIMARY KEY,
    client_id   TEXT NOT NULL REFERENCES clients (id),
    key_hash    TEXT NOT NULL,   -- SHA-256 of the key; the key itself is shown once and never stored
    created_at  TEXT NOT NULL,
    revoked_at  TEXT NULL
);
CREATE UNIQUE INDEX ux_client_keys_hash ON client_keys (key_hash);

CREATE TABLE slots (
    id               INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    rpps             TEXT    NOT NULL REFERENCES practitioners (rpps),
    sector_code      TEXT    NOT NULL,
    site_id          TEXT    NOT NULL,
    start_utc        TEXT    NOT NULL,
    end_utc          TEXT    NOT NULL,
    modality         TEXT    NOT NULL,
    external_id      TEXT    NULL,
    status           TEXT    NOT NULL,
    hold_id          TEXT    NULL,
    held_by          TEXT    NULL,
    hold_expires_at  TEXT    NULL,
    created_at       TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
);
-- Search: bookable slots of a sector by start. Partial, so withdrawn, booked and expired history
-- (most rows after a few weeks) stays out of the index regulators hit on every call.
CREATE INDEX ix_slots_search ON slots (sector_code, start_utc, id) WHERE status IN ('available', 'held');
CREATE INDEX ix_slots_practitioner ON slots (rpps, start_utc);
CREATE UNIQUE INDEX ux_slots_external_id ON slots (rpps, external_id) WHERE external_id IS NOT NULL;
