-- Territory, practitioners, integration clients and slots. Instants are UTC datetime2(0) (the API sends whole seconds).
-- Whole numbers are BIGINT: SQLite answers every integer as 64-bit, and the row records take one type.
-- Identifiers and codes compare byte by byte (Latin1_General_100_BIN2), as on SQLite and PostgreSQL: the server's
-- default collation is usually case-insensitive, and 'RDV-1' and 'rdv-1', '44-TOUR' and '44-tour' must stay two keys.
-- (SQL Server had run nowhere when these scripts were corrected in place, on 2026-12-02; later changes are new scripts.)

CREATE TABLE dbo.cpts (
    finess      NVARCHAR(9) COLLATE Latin1_General_100_BIN2    NOT NULL CONSTRAINT pk_cpts PRIMARY KEY,
    name        NVARCHAR(200)  NOT NULL,
    updated_at  DATETIME2(0)   NOT NULL
);

CREATE TABLE dbo.sectors (
    code                   NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_sectors PRIMARY KEY,
    name                   NVARCHAR(200)  NOT NULL,
    department             NVARCHAR(3) COLLATE Latin1_General_100_BIN2    NOT NULL,
    time_zone              NVARCHAR(64)   NOT NULL,
    booking_horizon_hours  BIGINT         NOT NULL,
    cpts_finess            NVARCHAR(9) COLLATE Latin1_General_100_BIN2    NULL,
    updated_at             DATETIME2(0)   NOT NULL
);
CREATE INDEX ix_sectors_cpts ON dbo.sectors (cpts_finess);

CREATE TABLE dbo.sector_communes (
    sector_code  NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT fk_sector_communes_sector REFERENCES dbo.sectors (code) ON DELETE CASCADE,
    insee_code   NVARCHAR(5) COLLATE Latin1_General_100_BIN2  NOT NULL,
    CONSTRAINT pk_sector_communes PRIMARY KEY (sector_code, insee_code)
);
CREATE INDEX ix_sector_communes_insee ON dbo.sector_communes (insee_code);

CREATE TABLE dbo.practitioners (
    rpps              NVARCHAR(11) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_practitioners PRIMARY KEY,
    first_name        NVARCHAR(100)  NOT NULL,
    last_name         NVARCHAR(100)  NOT NULL,
    profession        NVARCHAR(100)  NOT NULL,
    overflow_per_day  BIGINT         NOT NULL,
    updated_at        DATETIME2(0)   NOT NULL
);

CREATE TABLE dbo.practitioner_sectors (
    rpps         NVARCHAR(11) COLLATE Latin1_General_100_BIN2 NOT NULL CONSTRAINT fk_practitioner_sectors_rpps REFERENCES dbo.practitioners (rpps) ON DELETE CASCADE,
    sector_code  NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NOT NULL,
    CONSTRAINT pk_practitioner_sectors PRIMARY KEY (rpps, sector_code)
);

CREATE TABLE dbo.practitioner_sites (
    rpps     NVARCHAR(11) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT fk_practitioner_sites_rpps REFERENCES dbo.practitioners (rpps) ON DELETE CASCADE,
    site_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2   NOT NULL,
    name     NVARCHAR(200)  NOT NULL,
    address  NVARCHAR(300)  NOT NULL,
    commune  NVARCHAR(5) COLLATE Latin1_General_100_BIN2    NOT NULL,
    CONSTRAINT pk_practitioner_sites PRIMARY KEY (rpps, site_id)
);

CREATE TABLE dbo.clients (
    id          NVARCHAR(36) COLLATE Latin1_General_100_BIN2   NOT NULL CONSTRAINT pk_clients PRIMARY KEY,
    name        NVARCHAR(200)  NOT NULL,
    role        NVARCHAR(20) COLLATE Latin1_General_100_BIN2   NOT NULL,
    scope       NVARCHAR(MAX)  NOT NULL,
    created_at  DATETIME2(0)   NOT NULL
);

CREATE TABLE dbo.client_keys (
    id          NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_client_keys PRIMARY KEY,
    client_id   NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT fk_client_keys_client REFERENCES dbo.clients (id),
    key_hash    NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    created_at  DATETIME2(0)  NOT NULL,
    revoked_at  DATETIME2(0)  NULL
);
CREATE UNIQUE INDEX ux_client_keys_hash ON dbo.client_keys (key_hash);

CREATE TABLE dbo.slots (
    id               BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_slots PRIMARY KEY,
    rpps             NVARCHAR(11) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT fk_slots_rpps REFERENCES dbo.practitioners (rpps),
    sector_code      NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    site_id          NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    start_utc        DATETIME2(0)  NOT NULL,
    end_utc          DATETIME2(0)  NOT NULL,
    modality         NVARCHAR(20) COLLATE Latin1_General_100_BIN2  NOT NULL,
    external_id      NVARCHAR(128) COLLATE Latin1_General_100_BIN2 NULL,
    status           NVARCHAR(20) COLLATE Latin1_General_100_BIN2  NOT NULL,
    hold_id          NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NULL,
    held_by          NVARCHAR(36) COLLATE Latin1_General_100_BIN2  NULL,
    hold_expires_at  DATETIME2(0)  NULL,
    created_at       DATETIME2(0)  NOT NULL,
    updated_at       DATETIME2(0)  NOT NULL
);
-- The same filtered index as SQLite's partial one: search reads only bookable slots.
CREATE INDEX ix_slots_search ON dbo.slots (sector_code, start_utc, id)
    INCLUDE (rpps, site_id, end_utc, modality, status, hold_expires_at, held_by)
    WHERE status IN ('available', 'held');
CREATE INDEX ix_slots_practitioner ON dbo.slots (rpps, start_utc);
CREATE UNIQUE INDEX ux_slots_external_id ON dbo.slots (rpps, external_id) WHERE external_id IS NOT NULL;
