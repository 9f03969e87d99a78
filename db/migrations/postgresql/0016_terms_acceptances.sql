-- A regulator from the SAS platform accepts this service's terms of use (CGU) once per version, at the first sign-in
-- after the platform created the account (the guide's rule); kept as the proof of it.
CREATE TABLE terms_acceptances (
    regulator_id  VARCHAR(64) COLLATE "C"  NOT NULL,
    version       VARCHAR(32) COLLATE "C"  NOT NULL,
    accepted_at   TIMESTAMPTZ              NOT NULL,
    CONSTRAINT pk_terms_acceptances PRIMARY KEY (regulator_id, version)
);
