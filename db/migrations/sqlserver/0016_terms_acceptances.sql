-- A regulator from the SAS platform accepts this service's terms of use (CGU) once per version, at the first sign-in
-- after the platform created the account (the guide's rule); kept as the proof of it.
CREATE TABLE dbo.terms_acceptances (
    regulator_id  NVARCHAR(64) COLLATE Latin1_General_100_BIN2  NOT NULL,
    version       NVARCHAR(32) COLLATE Latin1_General_100_BIN2  NOT NULL,
    accepted_at   DATETIME2(0)  NOT NULL,
    CONSTRAINT pk_terms_acceptances PRIMARY KEY (regulator_id, version)
);
GO
