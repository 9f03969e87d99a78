-- A regulator from the SAS platform accepts this service's terms of use (CGU) once per version, at the first sign-in
-- after the platform created the account (the guide's rule); kept as the proof of it.
CREATE TABLE terms_acceptances (
    regulator_id  TEXT NOT NULL,
    version       TEXT NOT NULL,
    accepted_at   TEXT NOT NULL,
    PRIMARY KEY (regulator_id, version)
);
