-- A practice site as the SAS guide describes it: its own postal code (a commune may have several), the
-- structure's national identifier (IDNST: 1 + FINESS or 3 + SIRET) and the link to the GP's booking agenda.
-- Sites written before this have none of them: the FHIR interface falls back to the commune's postal code.
ALTER TABLE dbo.practitioner_sites ADD postal_code NVARCHAR(5) COLLATE Latin1_General_100_BIN2 NULL,
    structure_id NVARCHAR(15) COLLATE Latin1_General_100_BIN2 NULL,
    booking_url NVARCHAR(500) NULL;
GO

-- Regulator accounts, created and updated by the SAS platform (flow INT_R02, FrPractitionerRegul): no more than
-- the guide sends. One active account per identifier and per email; a disabled account frees both for another.
CREATE TABLE dbo.regulators (
    id          NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL CONSTRAINT pk_regulators PRIMARY KEY,
    idnps       NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NULL,
    sas_id      NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NULL,
    family      NVARCHAR(200)  NOT NULL,
    given       NVARCHAR(200)  NOT NULL,
    email       NVARCHAR(320)  NOT NULL,
    active      BIGINT         NOT NULL,
    version     BIGINT         NOT NULL,
    updated_at  DATETIME2(0)   NOT NULL
);
CREATE UNIQUE INDEX ux_regulators_idnps ON dbo.regulators (idnps) WHERE active = 1 AND idnps IS NOT NULL;
CREATE UNIQUE INDEX ux_regulators_sas_id ON dbo.regulators (sas_id) WHERE active = 1 AND sas_id IS NOT NULL;
CREATE UNIQUE INDEX ux_regulators_email ON dbo.regulators (email) WHERE active = 1;
CREATE INDEX ix_regulators_idnps ON dbo.regulators (idnps);
CREATE INDEX ix_regulators_sas_id ON dbo.regulators (sas_id);

-- The regulator who booked, by the SAS platform's technical id, when the regulator has no IDNPS.
ALTER TABLE dbo.bookings ADD operator_account NVARCHAR(64) COLLATE Latin1_General_100_BIN2 NULL;
GO
