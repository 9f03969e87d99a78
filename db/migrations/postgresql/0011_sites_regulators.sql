-- A practice site as the SAS guide describes it: its own postal code (a commune may have several), the
-- structure's national identifier (IDNST: 1 + FINESS or 3 + SIRET) and the link to the GP's booking agenda.
-- Sites written before this have none of them: the FHIR interface falls back to the commune's postal code.
ALTER TABLE practitioner_sites ADD COLUMN postal_code VARCHAR(5) COLLATE "C" NULL;
ALTER TABLE practitioner_sites ADD COLUMN structure_id VARCHAR(15) COLLATE "C" NULL;
ALTER TABLE practitioner_sites ADD COLUMN booking_url VARCHAR(500) NULL;

-- Regulator accounts, created and updated by the SAS platform (flow INT_R02, FrPractitionerRegul): no more than
-- the guide sends. One active account per identifier and per email; a disabled account frees both for another.
CREATE TABLE regulators (
    id          VARCHAR(64) COLLATE "C"  NOT NULL CONSTRAINT pk_regulators PRIMARY KEY,
    idnps       VARCHAR(64) COLLATE "C"  NULL,
    sas_id      VARCHAR(64) COLLATE "C"  NULL,
    family      VARCHAR(200)             NOT NULL,
    given       VARCHAR(200)             NOT NULL,
    email       VARCHAR(320)             NOT NULL,
    active      BIGINT                   NOT NULL,
    version     BIGINT                   NOT NULL,
    updated_at  TIMESTAMPTZ              NOT NULL
);
CREATE UNIQUE INDEX ux_regulators_idnps ON regulators (idnps) WHERE active = 1 AND idnps IS NOT NULL;
CREATE UNIQUE INDEX ux_regulators_sas_id ON regulators (sas_id) WHERE active = 1 AND sas_id IS NOT NULL;
CREATE UNIQUE INDEX ux_regulators_email ON regulators (email) WHERE active = 1;
CREATE INDEX ix_regulators_idnps ON regulators (idnps);
CREATE INDEX ix_regulators_sas_id ON regulators (sas_id);

-- The regulator who booked, by the SAS platform's technical id, when the regulator has no IDNPS.
ALTER TABLE bookings ADD COLUMN operator_account VARCHAR(64) COLLATE "C" NULL;
